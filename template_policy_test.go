package calltaxi_test

import (
	"fmt"
	"slices"
	"strings"
)

// onlyFunctionMayUse: an action (or action prefix ending in ":") one function alone may hold.
var onlyFunctionMayUse = map[string]string{
	"lambda:InvokeFunction": "OrderFunction",
	"sns:":                  "NotifyFunction",
	"cognito-idp:":          "IdentityFunction",
}

// wildcardAllowed is the one statement that may use Resource "*": SMS to phone numbers has no ARN (Publish
// to a PhoneNumber, CheckIfPhoneNumberIsOptedOut); the statement pins the SMS region instead (see
// template_sms_test.go).
var wildcardAllowed = struct {
	function string
	actions  []string
}{"NotifyFunction", []string{"sns:Publish", "sns:CheckIfPhoneNumberIsOptedOut"}}

// checkLeastPrivilege: explicit statements only, no wildcards beyond /index/*, sensitive actions on
// one function, and each service's statements name only resources that function owns.
func checkLeastPrivilege(r *repoUnderTest) []string {
	var problems []string
	for _, id := range r.tpl.functions() {
		policies := r.tpl.functionProperties(id)["Policies"]
		list := asSlice(policies)
		if policies != nil && list == nil {
			problems = append(problems, fmt.Sprintf("%s.Policies: must be a list of {Statement: [...]}", id))
		}
		for i, p := range list {
			at := fmt.Sprintf("%s.Policies[%d]", id, i)
			doc := asMap(p)
			if _, ok := doc["Statement"]; !ok || len(doc) != 1 {
				problems = append(problems, fmt.Sprintf("%s: only {Statement: [...]} is allowed (no managed policies or SAM policy templates)", at))
				continue
			}
			for j, s := range asSlice(doc["Statement"]) {
				problems = append(problems, checkStatement(r, id, fmt.Sprintf("%s.Statement[%d]", at, j), asMap(s))...)
			}
		}
	}
	return append(problems, checkStandalonePolicies(r)...)
}

// checkStandalonePolicies: an AWS::IAM::Policy (used where naming a resource in the function's own Policies
// would be a circular dependency, as with a user pool whose trigger is the function) is attached to exactly
// one function's SAM-generated role, and its statements follow that function's rules.
func checkStandalonePolicies(r *repoUnderTest) []string {
	var problems []string
	for _, id := range r.tpl.resourcesOfType("AWS::IAM::Policy") {
		props := asMap(r.tpl.resources[id]["Properties"])
		roles := valueList(props["Roles"])
		fn := ""
		if len(roles) == 1 {
			fn, _ = strings.CutSuffix(asString(asMap(roles[0])["Ref"]), "Role")
		}
		if fn == "" || r.tpl.resources[fn]["Type"] != "AWS::Serverless::Function" || r.tpl.functionProperties(fn)["Role"] != nil {
			problems = append(problems, fmt.Sprintf("%s: Roles must be [!Ref <Function>Role] of one function's SAM-generated role", id))
			continue
		}
		if props["Users"] != nil || props["Groups"] != nil {
			problems = append(problems, fmt.Sprintf("%s: attached to users or groups as well as %sRole", id, fn))
		}
		for j, s := range asSlice(asMap(props["PolicyDocument"])["Statement"]) {
			problems = append(problems, checkStatement(r, fn, fmt.Sprintf("%s.Statement[%d]", id, j), asMap(s))...)
		}
	}
	return problems
}

func checkStatement(r *repoUnderTest, fn, at string, stmt map[string]any) []string {
	var problems []string
	for _, forbidden := range []string{"NotAction", "NotResource"} {
		if _, ok := stmt[forbidden]; ok {
			problems = append(problems, fmt.Sprintf("%s: %s is not allowed", at, forbidden))
		}
	}
	actions := stringList(stmt["Action"])
	resources := valueList(stmt["Resource"])
	for _, action := range actions {
		if strings.Contains(action, "*") {
			problems = append(problems, fmt.Sprintf("%s: wildcard action %q", at, action))
		}
		for restricted, owner := range onlyFunctionMayUse {
			if (action == restricted || strings.HasSuffix(restricted, ":") && strings.HasPrefix(action, restricted)) && fn != owner {
				problems = append(problems, fmt.Sprintf("%s: %s is reserved to %s", at, action, owner))
			}
		}
	}
	for _, res := range resources {
		if pattern := resourcePattern(res); strings.Contains(strings.TrimSuffix(pattern, "/index/*"), "*") {
			if !(pattern == "*" && fn == wildcardAllowed.function && len(actions) > 0 &&
				!slices.ContainsFunc(actions, func(a string) bool { return !slices.Contains(wildcardAllowed.actions, a) })) {
				problems = append(problems, fmt.Sprintf("%s: wildcard resource %q", at, pattern))
			}
		}
	}
	for _, service := range servicesOf(actions) {
		owned := r.ownedResources(fn, service)
		if owned == nil {
			continue
		}
		for _, res := range resources {
			targets := referencedNames(res)
			if len(targets) == 0 {
				problems = append(problems, fmt.Sprintf("%s: %s resource %q names no resource of this template", at, service, resourcePattern(res)))
			}
			for _, target := range targets {
				if service != "lambda" {
					target, _, _ = strings.Cut(target, ".")
				}
				if !owned[target] {
					problems = append(problems, fmt.Sprintf("%s: %s statement names %s, which %s may not use", at, service, target, fn))
				}
			}
		}
	}
	return problems
}

// ownedResources lists what a function's statements for one service may name; nil means the
// service is not scoped by this rule.
func (r *repoUnderTest) ownedResources(fn, service string) map[string]bool {
	switch service {
	case "dynamodb":
		// Its own tables are the ones its environment names.
		owned := map[string]bool{}
		for _, v := range r.tpl.functionEnvironment(fn) {
			for _, id := range referencedNames(v) {
				if r.tpl.resources[id]["Type"] == "AWS::DynamoDB::Table" {
					owned[id] = true
				}
			}
		}
		return owned
	case "ssm":
		// Only the runtime configuration parameters its environment names (shared/runtimeconfig).
		owned := map[string]bool{}
		for _, v := range r.tpl.functionEnvironment(fn) {
			for _, id := range referencedNames(v) {
				if r.tpl.resources[id]["Type"] == "AWS::SSM::Parameter" {
					owned[id] = true
				}
			}
		}
		return owned
	case "events":
		return r.resourceSet("AWS::Events::EventBus")
	case "sqs":
		return r.resourceSet("AWS::SQS::Queue")
	case "cognito-idp":
		// Only the user pools whose trigger it is.
		owned := map[string]bool{}
		for _, ev := range r.tpl.functionEvents(fn, "Cognito") {
			for _, id := range referencedNames(ev["UserPool"]) {
				owned[id] = true
			}
		}
		return owned
	case "lambda":
		owned := map[string]bool{}
		for name := range r.tpl.samFunctionReferences() {
			// Only another function's published alias: never $LATEST, never itself.
			if target, ok := strings.CutSuffix(name, ".Alias"); ok && target != fn {
				owned[name] = true
			}
		}
		return owned
	}
	return nil
}

func (r *repoUnderTest) resourceSet(typ string) map[string]bool {
	set := map[string]bool{}
	for _, id := range r.tpl.resourcesOfType(typ) {
		set[id] = true
	}
	return set
}

// resourcePattern is the ARN text of a Resource entry: the string, or the Fn::Sub template.
func resourcePattern(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	sub := asMap(v)["Fn::Sub"]
	if parts := asSlice(sub); len(parts) > 0 {
		return asString(parts[0])
	}
	return asString(sub)
}

func servicesOf(actions []string) []string {
	var services []string
	for _, a := range actions {
		service, _, _ := strings.Cut(a, ":")
		if !slices.Contains(services, service) {
			services = append(services, service)
		}
	}
	return services
}

func stringList(v any) []string {
	var out []string
	for _, x := range valueList(v) {
		out = append(out, asString(x))
	}
	return out
}

// valueList accepts IAM's "one value or a list" form.
func valueList(v any) []any {
	if list, ok := v.([]any); ok {
		return list
	}
	if v == nil {
		return nil
	}
	return []any{v}
}
