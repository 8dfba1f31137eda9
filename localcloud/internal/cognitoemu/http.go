package cognitoemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

// TargetPrefix starts the X-Amz-Target of every Cognito user pools request.
const TargetPrefix = "AWSCognitoIdentityProviderService."

type attribute struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

type request struct {
	UserPoolId     string      `json:"UserPoolId"`
	Username       string      `json:"Username"`
	GroupName      string      `json:"GroupName"`
	UserAttributes []attribute `json:"UserAttributes"`
}

// ServeHTTP answers the operations AdminCreateUser, AdminAddUserToGroup, AdminListGroupsForUser and
// AdminGetUser; any other is an UnknownOperationException.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), TargetPrefix)
	var req request
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		writeError(w, newError("SerializationException", "the request body is not JSON: %v", err))
		return
	}
	if req.UserPoolId == "" && op != "" {
		writeError(w, newError("InvalidParameterException", "1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null"))
		return
	}
	var out any
	var err error
	switch op {
	case "AdminCreateUser":
		attrs := map[string]string{}
		for _, a := range req.UserAttributes {
			attrs[a.Name] = a.Value
		}
		var u User
		if u, err = s.CreateUser(req.UserPoolId, req.Username, attrs); err == nil {
			out = map[string]any{"User": userType(u, "Attributes")}
		}
	case "AdminAddUserToGroup":
		err = s.AddUserToGroup(req.UserPoolId, req.Username, req.GroupName)
		out = struct{}{}
	case "AdminListGroupsForUser":
		var u User
		if u, err = s.GetUser(req.UserPoolId, req.Username); err == nil {
			out = map[string]any{"Groups": s.groupTypes(req.UserPoolId, u.Groups)}
		}
	case "AdminGetUser":
		var u User
		if u, err = s.GetUser(req.UserPoolId, req.Username); err == nil {
			out = userType(u, "UserAttributes")
		}
	default:
		err = newError("UnknownOperationException", "the local cloud's Cognito does not serve %q", op)
	}
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}

// userType is Cognito's UserType (AdminCreateUser names its attributes "Attributes", AdminGetUser
// "UserAttributes"); dates are epoch seconds, as the JSON protocol sends timestamps.
func userType(u User, attributesKey string) map[string]any {
	attrs := make([]attribute, 0, len(u.Attributes))
	for _, name := range sortedKeys(u.Attributes) {
		attrs = append(attrs, attribute{Name: name, Value: u.Attributes[name]})
	}
	return map[string]any{
		"Username": u.Username, attributesKey: attrs, "UserStatus": u.Status, "Enabled": u.Enabled,
		"UserCreateDate": epoch(u.Created), "UserLastModifiedDate": epoch(u.Created),
	}
}

func (s *Service) groupTypes(poolID string, names []string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	groups := make([]map[string]any, 0, len(names))
	for _, name := range names {
		created := s.pools[poolID].groups[name]
		groups = append(groups, map[string]any{"GroupName": name, "UserPoolId": poolID,
			"CreationDate": epoch(created), "LastModifiedDate": epoch(created)})
	}
	return groups
}

func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

func writeError(w http.ResponseWriter, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = newError("InternalErrorException", "%v", err)
	}
	status := http.StatusBadRequest
	if e.Type == "InternalErrorException" {
		status = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", e.Type)
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, "%s\n", mustJSON(map[string]string{"__type": e.Type, "message": e.Message}))
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
