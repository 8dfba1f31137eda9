package awsendpoint

import (
	"regexp"
	"testing"
)

// The SDK's partition regions, as its endpoint rules write them; inPartition must agree.
var partitionRules = map[string]*regexp.Regexp{
	"cn-":      regexp.MustCompile(`^cn\-\w+\-\d+$`),
	"eusc-de-": regexp.MustCompile(`^eusc\-(de)\-\w+\-\d+$`),
	"us-iso-":  regexp.MustCompile(`^us\-iso\-\w+\-\d+$`),
	"us-isob-": regexp.MustCompile(`^us\-isob\-\w+\-\d+$`),
	"eu-isoe-": regexp.MustCompile(`^eu\-isoe\-\w+\-\d+$`),
	"us-isof-": regexp.MustCompile(`^us\-isof\-\w+\-\d+$`),
	"us-gov-":  regexp.MustCompile(`^us\-gov\-\w+\-\d+$`),
}

var regions = []string{"cn-north-1", "cn-northwest-1", "cn-north", "cn--1", "cn-north-", "cn-north-1a", "cn-no_rth-12",
	"cn-north-east-1", "eusc-de-east-1", "eusc-fr-east-1", "us-iso-east-1", "us-isob-east-1", "us-iso-b-1",
	"eu-isoe-west-1", "us-isof-south-1", "us-gov-west-1", "us-gov-west", "us-gov-1", "us-gov-wést-1",
	"ap-northeast-2", "", "us-gov-west-1\n", "US-GOV-west-1"}

func TestInPartitionIsTheSDKsRule(t *testing.T) {
	for _, p := range partitions {
		rule := partitionRules[p.prefix]
		if rule == nil {
			t.Fatalf("no rule for %q", p.prefix)
		}
		for _, region := range regions {
			if got, want := inPartition(region, p.prefix), rule.MatchString(region); got != want {
				t.Errorf("inPartition(%q, %q) = %v, the rule says %v", region, p.prefix, got, want)
			}
		}
	}
}

func FuzzInPartition(f *testing.F) {
	for _, r := range regions {
		f.Add(r)
	}
	f.Fuzz(func(t *testing.T, region string) {
		for _, p := range partitions {
			if got, want := inPartition(region, p.prefix), partitionRules[p.prefix].MatchString(region); got != want {
				t.Fatalf("inPartition(%q, %q) = %v, the rule says %v", region, p.prefix, got, want)
			}
		}
	})
}
