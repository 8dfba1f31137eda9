// Package ssmemu is the local cloud's Systems Manager Parameter Store: the parameters of the template's
// AWS::SSM::Parameter resources, served over the AWS JSON 1.1 protocol (X-Amz-Target AmazonSSM.<Op>) for
// GetParameter, GetParameters, PutParameter, DeleteParameter and DescribeParameters, with the errors the
// SSM API reference gives for them. Parameters live in memory: every start creates them from the template,
// as a fresh deploy would.
package ssmemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// TargetPrefix starts the X-Amz-Target of every SSM request.
const TargetPrefix = "AmazonSSM."

// Parameter types (PutParameter Type).
const (
	TypeString       = "String"
	TypeStringList   = "StringList"
	TypeSecureString = "SecureString"
)

// maxValueLength is a Standard-tier parameter's value limit (PutParameter, Value).
const maxValueLength = 4096

// Options configure the service.
type Options struct {
	Region, AccountID string
	Now               func() time.Time // nil = time.Now
}

// Service holds the parameters.
type Service struct {
	opts   Options
	mu     sync.Mutex
	params map[string]*parameter
}

type parameter struct {
	name, description, allowedPattern, dataType string
	versions                                    []version // the retained versions, oldest first
	latestVersion                               int64     // the number of versions[len-1]
}

// maxVersions is how many versions a parameter keeps: "Parameter Store retains the 100 most recently
// created versions of a parameter. After this number of versions has been created, Parameter Store
// deletes the oldest version when a new one is created" (SSM API reference,
// ParameterMaxVersionLimitExceeded; labels, the exception to it, are not emulated).
const maxVersions = 100

type version struct {
	typ, value string
	modified   time.Time
}

func (p *parameter) latest() version { return p.versions[len(p.versions)-1] }

// New returns an empty Parameter Store.
func New(opts Options) *Service {
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.AccountID == "" {
		opts.AccountID = "123456789012"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{opts: opts, params: map[string]*parameter{}}
}

// Error is an SSM error as the JSON protocol sends it: {"__type": Code, "message": Message}, HTTP 400.
type Error struct {
	Code, Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func newError(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// PutInput is PutParameter's request.
type PutInput struct {
	Name           string `json:"Name"`
	Value          string `json:"Value"`
	Type           string `json:"Type"`
	Description    string `json:"Description"`
	AllowedPattern string `json:"AllowedPattern"`
	DataType       string `json:"DataType"`
	Overwrite      bool   `json:"Overwrite"`
}

// Put creates or (with Overwrite) updates a parameter and returns its new version. Every put makes a new
// version, even of an unchanged value.
func (s *Service) Put(in PutInput) (int64, error) {
	if err := validateName(in.Name); err != nil {
		return 0, err
	}
	if in.Value == "" || len(in.Value) > maxValueLength {
		return 0, newError("ValidationException", "1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length between 1 and %d", maxValueLength)
	}
	switch in.Type {
	case "", TypeString, TypeStringList, TypeSecureString:
	default:
		return 0, newError("ValidationException", "1 validation error detected: Value '%s' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [SecureString, StringList, String]", in.Type)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, exists := s.params[in.Name]
	switch {
	case exists && !in.Overwrite:
		return 0, newError("ParameterAlreadyExists", "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.")
	case !exists && in.Type == "":
		return 0, newError("ValidationException", "A parameter type is required when you create a parameter.")
	}
	typ, pattern := in.Type, in.AllowedPattern
	if exists {
		if typ == "" {
			typ = p.latest().typ
		}
		if pattern == "" {
			pattern = p.allowedPattern
		}
	}
	if pattern != "" {
		re, err := regexp.Compile(pattern)
		if err != nil {
			return 0, newError("InvalidAllowedPatternException", "The allowed pattern %s is not a valid regular expression.", pattern)
		}
		if !re.MatchString(in.Value) {
			return 0, newError("ParameterPatternMismatchException", "Parameter value, %s, failed to satisfy constraint specified by the allowed pattern: %s.", in.Value, pattern)
		}
	}
	if !exists {
		p = &parameter{name: in.Name, dataType: "text"}
		s.params[in.Name] = p
	}
	if in.Description != "" || !exists {
		p.description = in.Description
	}
	if in.DataType != "" {
		p.dataType = in.DataType
	}
	p.allowedPattern = pattern
	if len(p.versions) == maxVersions {
		p.versions = append(p.versions[:0], p.versions[1:]...)
	}
	p.versions = append(p.versions, version{typ: typ, value: in.Value, modified: s.opts.Now()})
	p.latestVersion++
	return p.latestVersion, nil
}

// nameRule: letters, digits and . - _ / (SSM "Requirements and constraints for parameter names").
var nameRule = regexp.MustCompile(`^[a-zA-Z0-9_.\-/]+$`)

// maxNameLength is the longest parameter name, with its path.
const maxNameLength = 1011

func validateName(name string) error {
	switch {
	case !nameRule.MatchString(name) || len(name) > maxNameLength:
		return newError("ValidationException", "Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol \"/\". Valid example: /get/parameters2-/by1./path0_.")
	case strings.Contains(name, "/") && !strings.HasPrefix(name, "/"):
		return newError("ValidationException", "Parameter name must be a fully qualified name.")
	case hasReservedPrefix(name):
		return newError("ValidationException", "No access to reserved parameter name: %s.", name)
	}
	return nil
}

func hasReservedPrefix(name string) bool {
	first := strings.ToLower(strings.TrimPrefix(name, "/"))
	return strings.HasPrefix(first, "aws") || strings.HasPrefix(first, "ssm")
}

// Parameter is GetParameter's Parameter.
type Parameter struct {
	Name             string  `json:"Name"`
	Type             string  `json:"Type"`
	Value            string  `json:"Value"`
	Version          int64   `json:"Version"`
	Selector         string  `json:"Selector,omitempty"`
	LastModifiedDate float64 `json:"LastModifiedDate"` // epoch seconds, as the JSON protocol sends timestamps
	ARN              string  `json:"ARN"`
	DataType         string  `json:"DataType"`
}

// Get returns a parameter, or the version that a "name:version" selector names.
func (s *Service) Get(nameWithSelector string) (Parameter, error) {
	name, selector, hasSelector := strings.Cut(nameWithSelector, ":")
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.params[name]
	if !ok {
		return Parameter{}, &Error{Code: "ParameterNotFound"}
	}
	n := p.latestVersion
	if hasSelector {
		v, err := strconv.ParseInt(selector, 10, 64)
		if err != nil {
			return Parameter{}, newError("ValidationException", "The selector %q is not a version: the local Parameter Store has no labels.", selector)
		}
		if v <= p.latestVersion-int64(len(p.versions)) || v > p.latestVersion {
			return Parameter{}, newError("ParameterVersionNotFound", "Systems Manager could not find version %d of %s. Verify the version and try again.", v, name)
		}
		n = v
	}
	ver := p.versions[int64(len(p.versions))-1-(p.latestVersion-n)]
	out := Parameter{Name: name, Type: ver.typ, Value: ver.value, Version: n, LastModifiedDate: epochSeconds(ver.modified),
		ARN: s.arn(name), DataType: p.dataType}
	if hasSelector {
		out.Selector = ":" + selector
	}
	return out, nil
}

// Delete removes a parameter with all its versions.
func (s *Service) Delete(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.params[name]; !ok {
		return &Error{Code: "ParameterNotFound"}
	}
	delete(s.params, name)
	return nil
}

// arn is "arn:aws:ssm:<region>:<account>:parameter/<name without its leading slash>".
func (s *Service) arn(name string) string {
	return fmt.Sprintf("arn:aws:ssm:%s:%s:parameter/%s", s.opts.Region, s.opts.AccountID, strings.TrimPrefix(name, "/"))
}

func epochSeconds(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

type request struct {
	Name  string   `json:"Name"`
	Names []string `json:"Names"`
	PutInput
}

// ServeHTTP answers the JSON 1.1 protocol; any other operation is an UnknownOperationException.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), TargetPrefix)
	var req request
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		writeError(w, newError("SerializationException", "the request body is not JSON: %v", err))
		return
	}
	var out any
	var err error
	switch op {
	case "GetParameter":
		var p Parameter
		if p, err = s.Get(req.Name); err == nil {
			out = map[string]any{"Parameter": p}
		}
	case "GetParameters":
		out, err = s.getParameters(req.Names)
	case "PutParameter":
		req.PutInput.Name = req.Name
		var v int64
		if v, err = s.Put(req.PutInput); err == nil {
			out = map[string]any{"Version": v, "Tier": "Standard"}
		}
	case "DeleteParameter":
		err = s.Delete(req.Name)
		out = struct{}{}
	case "DescribeParameters":
		out = map[string]any{"Parameters": s.describe()}
	default:
		err = newError("UnknownOperationException", "the local cloud's SSM does not serve %q", op)
	}
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}

// getParameters answers GetParameters: the parameters found, and the names not found in
// InvalidParameters (not an error).
func (s *Service) getParameters(names []string) (any, error) {
	if len(names) < 1 || len(names) > 10 {
		return nil, newError("ValidationException", "1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length less than or equal to 10 and greater than or equal to 1")
	}
	found, invalid := []Parameter{}, []string{}
	for _, name := range names {
		p, err := s.Get(name)
		var e *Error
		switch {
		case err == nil:
			found = append(found, p)
		case errors.As(err, &e) && (e.Code == "ParameterNotFound" || e.Code == "ParameterVersionNotFound"):
			invalid = append(invalid, name)
		default:
			return nil, err
		}
	}
	return map[string]any{"Parameters": found, "InvalidParameters": invalid}, nil
}

// metadata is DescribeParameters' ParameterMetadata (no value).
type metadata struct {
	Name             string  `json:"Name"`
	ARN              string  `json:"ARN"`
	Type             string  `json:"Type"`
	Description      string  `json:"Description,omitempty"`
	AllowedPattern   string  `json:"AllowedPattern,omitempty"`
	Version          int64   `json:"Version"`
	LastModifiedDate float64 `json:"LastModifiedDate"`
	Tier             string  `json:"Tier"`
	DataType         string  `json:"DataType"`
}

// describe lists every parameter by name (filters and paging are not emulated).
func (s *Service) describe() []metadata {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]metadata, 0, len(s.params))
	for _, p := range s.params {
		v := p.latest()
		out = append(out, metadata{Name: p.name, ARN: s.arn(p.name), Type: v.typ, Description: p.description, AllowedPattern: p.allowedPattern,
			Version: p.latestVersion, LastModifiedDate: epochSeconds(v.modified), Tier: "Standard", DataType: p.dataType})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func writeError(w http.ResponseWriter, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Code: "InternalServerError", Message: err.Error()}
	}
	status := http.StatusBadRequest
	if e.Code == "InternalServerError" {
		status = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", e.Code)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": e.Code, "message": e.Message})
}
