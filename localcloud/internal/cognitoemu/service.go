// Package cognitoemu is a minimal Cognito user pools endpoint for the local cloud: the pools and groups of
// the template, users created by sign-up or by an administrator, and group membership, served with the
// AWS JSON 1.1 protocol (X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>) for the operations
// the project's code and scripts call. Passwords, sign-in and tokens are not emulated: the local cloud
// mints tokens itself, with the groups a user holds here.
package cognitoemu

import (
	"crypto/rand"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Error is a Cognito API error: Type is the exception name the SDK decodes.
type Error struct{ Type, Message string }

func (e *Error) Error() string { return e.Type + ": " + e.Message }

func newError(typ, format string, args ...any) *Error {
	return &Error{Type: typ, Message: fmt.Sprintf(format, args...)}
}

// User is a user of a pool.
type User struct {
	Username   string            // the sub in a pool whose users sign in with their email
	Attributes map[string]string // sub, email, email_verified, ...
	Status     string            // CONFIRMED | FORCE_CHANGE_PASSWORD
	Enabled    bool
	Created    time.Time
	Groups     []string // sorted
}

// Service holds the user pools.
type Service struct {
	now   func() time.Time
	mu    sync.Mutex
	pools map[string]*pool
}

type pool struct {
	id     string
	groups map[string]time.Time // group name → creation time
	users  map[string]*User     // by Username
}

// New returns a service without pools; now defaults to time.Now.
func New(now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{now: now, pools: map[string]*pool{}}
}

// CreatePool adds a pool (or the groups it lacks, for a pool that exists).
func (s *Service) CreatePool(id string, groups []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pools[id]
	if p == nil {
		p = &pool{id: id, groups: map[string]time.Time{}, users: map[string]*User{}}
		s.pools[id] = p
	}
	for _, g := range groups {
		if _, ok := p.groups[g]; !ok {
			p.groups[g] = s.now()
		}
	}
}

// SignUp creates a confirmed user for an email address, as a sign-up followed by the confirmation of the
// code Cognito mails would. The username is a new sub, as in a pool with email as its username attribute.
func (s *Service) SignUp(poolID, email string) (User, error) {
	return s.createUser(poolID, email, nil, "CONFIRMED")
}

// CreateUser is AdminCreateUser: the user must set a password at first sign-in.
func (s *Service) CreateUser(poolID, username string, attributes map[string]string) (User, error) {
	return s.createUser(poolID, username, attributes, "FORCE_CHANGE_PASSWORD")
}

func (s *Service) createUser(poolID, username string, attributes map[string]string, status string) (User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.pool(poolID)
	if err != nil {
		return User{}, err
	}
	email := strings.TrimSpace(attributes["email"])
	if strings.Contains(username, "@") {
		email = strings.TrimSpace(username)
	}
	if email == "" || !strings.Contains(email, "@") {
		return User{}, newError("InvalidParameterException", "Username should be an email.")
	}
	if p.find(email) != nil {
		return User{}, newError("UsernameExistsException", "An account with the given email already exists.")
	}
	sub := newSub()
	attrs := map[string]string{}
	for k, v := range attributes {
		attrs[k] = v
	}
	attrs["sub"], attrs["email"] = sub, email
	if status == "CONFIRMED" {
		attrs["email_verified"] = "true"
	}
	u := &User{Username: sub, Attributes: attrs, Status: status, Enabled: true, Created: s.now()}
	p.users[sub] = u
	return u.copy(), nil
}

// AddUserToGroup is AdminAddUserToGroup; adding a member again succeeds.
func (s *Service) AddUserToGroup(poolID, username, group string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, u, err := s.user(poolID, username)
	if err != nil {
		return err
	}
	if _, ok := p.groups[group]; !ok {
		return newError("ResourceNotFoundException", "Group not found.")
	}
	if !slices.Contains(u.Groups, group) {
		u.Groups = append(u.Groups, group)
		sort.Strings(u.Groups)
	}
	return nil
}

// GetUser is AdminGetUser: the user with the groups they are in.
func (s *Service) GetUser(poolID, username string) (User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, u, err := s.user(poolID, username)
	if err != nil {
		return User{}, err
	}
	return u.copy(), nil
}

func (s *Service) pool(id string) (*pool, error) {
	p := s.pools[id]
	if p == nil {
		return nil, newError("ResourceNotFoundException", "User pool %s does not exist.", id)
	}
	return p, nil
}

// user finds a user by username or, as Cognito accepts, by the email alias.
func (s *Service) user(poolID, username string) (*pool, *User, error) {
	p, err := s.pool(poolID)
	if err != nil {
		return nil, nil, err
	}
	u := p.find(username)
	if u == nil {
		return nil, nil, newError("UserNotFoundException", "User does not exist.")
	}
	return p, u, nil
}

func (p *pool) find(username string) *User {
	if u := p.users[username]; u != nil {
		return u
	}
	for _, u := range p.users {
		if strings.EqualFold(u.Attributes["email"], username) {
			return u
		}
	}
	return nil
}

func (u *User) copy() User {
	c := *u
	c.Attributes = map[string]string{}
	for k, v := range u.Attributes {
		c.Attributes[k] = v
	}
	c.Groups = slices.Clone(u.Groups)
	return c
}

// newSub is a random (version 4) UUID, the form of a Cognito sub.
func newSub() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
