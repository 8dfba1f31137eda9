package samtemplate

import (
	"sort"
	"strings"
)

// unsupported collects what the local cloud will not emulate. Property findings are grouped, one line per
// property and reason, listing the logical ids: "Tracing: X-Ray tracing is not emulated (A, B)".
type unsupported struct {
	lines map[string]bool
	props map[string]map[string]bool // "<property>: <reason>" → logical ids
}

func newUnsupported() *unsupported {
	return &unsupported{lines: map[string]bool{}, props: map[string]map[string]bool{}}
}

func (u *unsupported) resource(typ, id, reason string) {
	u.lines[typ+" "+id+": "+reason] = true
}

func (u *unsupported) note(line string) { u.lines[line] = true }

func (u *unsupported) property(prop, id, reason string) {
	key := prop + ": " + reason
	if u.props[key] == nil {
		u.props[key] = map[string]bool{}
	}
	u.props[key][id] = true
}

func (u *unsupported) list() []string {
	out := make([]string, 0, len(u.lines)+len(u.props))
	for line := range u.lines {
		out = append(out, line)
	}
	for key, ids := range u.props {
		out = append(out, key+" ("+strings.Join(sortedKeys(ids), ", ")+")")
	}
	sort.Strings(out)
	return out
}

// unsupportedResourceReasons explains resource types the local cloud does not emulate.
var unsupportedResourceReasons = map[string]string{
	typeUserPool:                           "sign-in, passwords and e-mail are not emulated: JWTs are minted by the local issuer (POST /_local/signup runs the sign-up triggers)",
	typeUserPoolClient:                     "the local issuer uses its local client id as the token audience",
	"AWS::Cognito::UserPoolGroup":          "groups are claims in the local issuer's tokens",
	"AWS::Cognito::UserPoolDomain":         "no hosted UI locally",
	"AWS::CloudWatch::Alarm":               "no CloudWatch alarms locally",
	"AWS::CloudWatch::Dashboard":           "no CloudWatch dashboards locally",
	"AWS::SNS::Topic":                      "no SNS topics locally",
	"AWS::SNS::Subscription":               "no SNS subscriptions locally",
	"AWS::S3::Bucket":                      "static hosting is not served by the local cloud",
	"AWS::S3::BucketPolicy":                "static hosting is not served by the local cloud",
	"AWS::CloudFront::Distribution":        "no CDN locally",
	"AWS::CloudFront::OriginAccessControl": "no CDN locally",
	"AWS::Logs::LogGroup":                  "function logs go to the local cloud's output",
	"AWS::IAM::Role":                       "IAM is not enforced locally",
	"AWS::IAM::Policy":                     "IAM is not enforced locally",
	"AWS::IAM::ManagedPolicy":              "IAM is not enforced locally",
	"AWS::Lambda::Permission":              "invoke permissions are not enforced locally",
	"AWS::SQS::QueuePolicy":                "queue policies are not enforced locally",
	"AWS::Serverless::Api":                 "only HTTP APIs are emulated locally",
	"AWS::Lambda::Function":                "only AWS::Serverless::Function is run locally",
}

// unsupportedFunctionProperties explains function properties (own or from Globals) the local cloud ignores.
var unsupportedFunctionProperties = map[string]string{
	"Tracing":                      "X-Ray tracing is not emulated",
	"DeploymentPreference":         "no canary/linear deployments locally; the alias always runs the latest build",
	"Layers":                       "layers are not mounted locally",
	"VpcConfig":                    "no VPC locally",
	"ProvisionedConcurrencyConfig": "no provisioned concurrency locally",
	"LoggingConfig":                "log format and levels are not applied; output is forwarded as is",
	"Policies":                     "IAM is not enforced locally",
	"Role":                         "IAM is not enforced locally",
	"EphemeralStorage":             "no /tmp size limit locally",
	"SnapStart":                    "no SnapStart locally",
	"FileSystemConfigs":            "no EFS locally",
	"DeadLetterQueue":              "asynchronous invoke dead-letter queues are not emulated",
	"FunctionUrlConfig":            "no function URLs locally",
	"KmsKeyArn":                    "no KMS locally",
	"CodeSigningConfigArn":         "no code signing locally",
	"RuntimeManagementConfig":      "the local runtime is the host",
	"RecursiveLoop":                "no recursive loop detection locally",
	"ImageUri":                     "container image functions are not run locally",
	"InlineCode":                   "inline code is not run locally",
}
