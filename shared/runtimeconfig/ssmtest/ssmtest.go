// Package ssmtest is an in-memory Parameter Store for tests of code that reads parameters through
// runtimeconfig: GetParameter answers as the SSM API reference describes (the value put last, a Version
// that every put increments, ParameterNotFound for a name never put).
package ssmtest

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"

	"github.com/calltaxi/call-taxi/shared/runtimeconfig/ssm"
)

// Store is the fake. Its zero value is empty and ready.
type Store struct {
	mu     sync.Mutex
	params map[string]ssm.Parameter
	fail   error
	calls  int
}

// Put sets a String parameter, as `aws ssm put-parameter --overwrite` does.
func (s *Store) Put(name, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.params == nil {
		s.params = map[string]ssm.Parameter{}
	}
	p := s.params[name]
	s.params[name] = ssm.Parameter{Name: aws.String(name), Value: aws.String(value), Version: p.Version + 1}
}

// Fail makes every call fail with err (nil: answer again), as when SSM throttles or is unreachable.
func (s *Store) Fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = err
}

// Calls counts GetParameter calls.
func (s *Store) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// GetParameter implements runtimeconfig.Getter.
func (s *Store) GetParameter(_ context.Context, in *ssm.GetParameterInput) (*ssm.GetParameterOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.fail != nil {
		return nil, s.fail
	}
	p, ok := s.params[aws.ToString(in.Name)]
	if !ok {
		return nil, &smithy.GenericAPIError{Code: "ParameterNotFound", Message: "UnknownError"}
	}
	return &ssm.GetParameterOutput{Parameter: &p}, nil
}
