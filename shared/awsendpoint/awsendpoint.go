// Package awsendpoint resolves a service's endpoint from an aws.Config as the SDK's clients do (their
// endpoint rules for a region-based service without a service-specific case beyond one, aws-us-gov FIPS):
// the configured endpoint (AWS_ENDPOINT_URL_<SERVICE> and AWS_ENDPOINT_URL through the config sources,
// or BaseEndpoint), FIPS, dual-stack, else the region's partition. For the clients call-taxi writes
// itself instead of linking a whole SDK service package (runtimeconfig/ssm, lambdainvoke).
package awsendpoint

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Service is what a service's endpoint rules depend on.
type Service struct {
	ID   string // the SDK's service ID, as in AWS_ENDPOINT_URL_<ID> ("SSM", "Lambda")
	Host string // the endpoint's first label ("ssm" gives ssm.<region>.amazonaws.com)
	// PlainFIPSInGov: in aws-us-gov, FIPS without dual-stack is the plain host (SSM's rules).
	PlainFIPSInGov bool
}

// The partitions of the SDK's endpoint rules (internal/endpoints/awsrulesfn): a region outside every
// other partition is in aws. A partition's regions are ^<prefix>\w+-\d+$.
var partitions = []struct {
	prefix, dnsSuffix, dualStack string
	gov                          bool
}{
	{"cn-", "amazonaws.com.cn", "api.amazonwebservices.com.cn", false},
	{"eusc-de-", "amazonaws.eu", "api.amazonwebservices.eu", false},
	{"us-iso-", "c2s.ic.gov", "api.aws.ic.gov", false},
	{"us-isob-", "sc2s.sgov.gov", "api.aws.scloud", false},
	{"eu-isoe-", "cloud.adc-e.uk", "api.cloud-aws.adc-e.uk", false},
	{"us-isof-", "csp.hci.ic.gov", "api.aws.hci.ic.gov", false},
	{"us-gov-", "amazonaws.com", "api.aws", true},
}

// inPartition reports whether region matches ^<prefix>\w+-\d+$, checked by hand because package-level
// regexps are compiled in every cold start.
func inPartition(region, prefix string) bool {
	rest, ok := strings.CutPrefix(region, prefix)
	if !ok {
		return false
	}
	word, digits, ok := strings.Cut(rest, "-")
	if !ok || word == "" || digits == "" {
		return false
	}
	for i := 0; i < len(word); i++ {
		if c := word[i]; !(c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	for i := 0; i < len(digits); i++ {
		if c := digits[i]; c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Resolve is the URL the service client's endpoint rules give for cfg.
func Resolve(cfg aws.Config, s Service) (string, error) {
	fips := firstFound(cfg, func(p interface {
		GetUseFIPSEndpoint(context.Context) (aws.FIPSEndpointState, bool, error)
	}) (bool, bool, error) {
		v, found, err := p.GetUseFIPSEndpoint(context.Background())
		return v == aws.FIPSEndpointStateEnabled, found, err
	})
	dualStack := firstFound(cfg, func(p interface {
		GetUseDualStackEndpoint(context.Context) (aws.DualStackEndpointState, bool, error)
	}) (bool, bool, error) {
		v, found, err := p.GetUseDualStackEndpoint(context.Background())
		return v == aws.DualStackEndpointStateEnabled, found, err
	})
	if base, ok := configuredEndpoint(cfg, s.ID); ok {
		switch {
		case fips:
			return "", errors.New("endpoint rule error, Invalid Configuration: FIPS and custom endpoint are not supported")
		case dualStack:
			return "", errors.New("endpoint rule error, Invalid Configuration: Dualstack and custom endpoint are not supported")
		}
		return base, nil
	}
	if cfg.Region == "" {
		return "", errors.New("endpoint rule error, Invalid Configuration: Missing Region")
	}
	dnsSuffix, dualStackSuffix, gov := "amazonaws.com", "api.aws", false
	for _, p := range partitions {
		if inPartition(cfg.Region, p.prefix) {
			dnsSuffix, dualStackSuffix, gov = p.dnsSuffix, p.dualStack, p.gov
			break
		}
	}
	host := s.Host
	if fips && !(s.PlainFIPSInGov && gov && !dualStack) {
		host += "-fips"
	}
	if dualStack {
		dnsSuffix = dualStackSuffix
	}
	return "https://" + host + "." + cfg.Region + "." + dnsSuffix, nil
}

// configuredEndpoint is the base endpoint the SDK's NewFromConfig takes from cfg: AWS_ENDPOINT_URL_<ID>
// (from the config sources, unless they say to ignore configured endpoints) over cfg.BaseEndpoint.
func configuredEndpoint(cfg aws.Config, serviceID string) (string, bool) {
	type ignorer interface {
		GetIgnoreConfiguredEndpoints(context.Context) (bool, bool, error)
	}
	type serviceEndpoint interface {
		GetServiceBaseEndpoint(context.Context, string) (string, bool, error)
	}
	for _, s := range cfg.ConfigSources {
		if p, ok := s.(ignorer); ok {
			if v, found, _ := p.GetIgnoreConfiguredEndpoints(context.Background()); found {
				if v {
					return aws.ToString(cfg.BaseEndpoint), cfg.BaseEndpoint != nil
				}
				break
			}
		}
	}
	for _, s := range cfg.ConfigSources {
		if p, ok := s.(serviceEndpoint); ok {
			if v, found, err := p.GetServiceBaseEndpoint(context.Background(), serviceID); err != nil || found {
				if found && err == nil {
					return v, true
				}
				break
			}
		}
	}
	return aws.ToString(cfg.BaseEndpoint), cfg.BaseEndpoint != nil
}

// firstFound is the answer of the first config source that has one, as the SDK's clients ask them.
func firstFound[P any](cfg aws.Config, ask func(P) (bool, bool, error)) bool {
	for _, s := range cfg.ConfigSources {
		if p, ok := s.(P); ok {
			if v, found, err := ask(p); err != nil || found {
				return err == nil && v
			}
		}
	}
	return false
}
