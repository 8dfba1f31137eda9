package calltaxi_test

import (
	"fmt"
	"slices"
	"strings"

	"github.com/calltaxi/call-taxi/shared/contracts"
)

// eventSpec is contracts.Spec, copied so fixtures can describe other catalogs.
type eventSpec struct {
	name, source string
	consumers    []string
	external     string
}

func publishedCatalog() []eventSpec {
	specs := make([]eventSpec, 0, len(contracts.Catalog))
	for _, s := range contracts.Catalog {
		specs = append(specs, eventSpec{name: s.Name, source: s.Source, consumers: s.Consumers, external: s.External})
	}
	return specs
}

// eventRule is one subscription of a function to domain events: an AWS::Events::Rule whose target is
// an SQS queue that the function consumes through an SQS event source mapping.
type eventRule struct {
	function, event     string // the function's SQS event
	rule, queue         string // logical ids
	sources, detailType []string
}

func (r *repoUnderTest) eventRules() []eventRule {
	var rules []eventRule
	for _, id := range r.tpl.functions() {
		events := r.tpl.functionEvents(id, "SQS")
		for _, name := range sortedKeys(events) {
			queue := getAttTarget(events[name]["Queue"])
			for _, ruleID := range sortedKeys(r.tpl.resources) {
				res := r.tpl.resources[ruleID]
				if res["Type"] != "AWS::Events::Rule" || !slices.Contains(ruleTargetQueues(res), queue) {
					continue
				}
				pattern := asMap(asMap(res["Properties"])["EventPattern"])
				rules = append(rules, eventRule{
					function:   id,
					event:      name,
					rule:       ruleID,
					queue:      queue,
					sources:    stringList(pattern["source"]),
					detailType: stringList(pattern["detail-type"]),
				})
			}
		}
	}
	return rules
}

// getAttTarget is X for {"Fn::GetAtt": [X, "Arn"]}, else "".
func getAttTarget(v any) string {
	ref, _ := asMap(v)["Fn::GetAtt"].([]any)
	if len(ref) != 2 || ref[1] != "Arn" {
		return ""
	}
	id, _ := ref[0].(string)
	return id
}

func ruleTargetQueues(rule map[string]any) []string {
	var queues []string
	for _, target := range valueList(asMap(rule["Properties"])["Targets"]) {
		if q := getAttTarget(asMap(target)["Arn"]); q != "" {
			queues = append(queues, q)
		}
	}
	return queues
}

// checkEventRules compares the template's EventBridge rules with an event catalog, both ways, and
// checks every rule listens on the stack's bus.
func checkEventRules(r *repoUnderTest, catalog []eventSpec) []string {
	var problems []string
	rules := r.eventRules()
	byName := map[string]eventSpec{}
	for _, spec := range catalog {
		byName[spec.name] = spec
		if len(spec.consumers) == 0 && strings.TrimSpace(spec.external) == "" {
			problems = append(problems, fmt.Sprintf("catalog: %s has no consumer and no External reason", spec.name))
		}
		for _, consumer := range spec.consumers {
			if !slices.ContainsFunc(rules, func(rule eventRule) bool {
				return rule.function == consumer && slices.Contains(rule.detailType, spec.name) && slices.Contains(rule.sources, spec.source)
			}) {
				problems = append(problems, fmt.Sprintf("%s: no event rule with detail-type %s and source %s delivers to its queue (the catalog lists it as a consumer)", consumer, spec.name, spec.source))
			}
		}
	}
	for _, rule := range rules {
		at := rule.function + ".Events." + rule.event
		if len(rule.detailType) == 0 {
			problems = append(problems, fmt.Sprintf("%s: Pattern has no detail-type list", at))
		}
		for _, dt := range rule.detailType {
			spec, known := byName[dt]
			switch {
			case !known:
				problems = append(problems, fmt.Sprintf("%s: detail-type %s is not in the event catalog", at, dt))
			case !slices.Contains(spec.consumers, rule.function):
				problems = append(problems, fmt.Sprintf("%s: listens to %s, but the catalog does not list %s as its consumer", at, dt, rule.function))
			}
		}
		bus := referencedNames(asMap(r.tpl.resources[rule.rule]["Properties"])["EventBusName"])
		if len(bus) != 1 || r.tpl.resources[bus[0]]["Type"] != "AWS::Events::EventBus" {
			problems = append(problems, fmt.Sprintf("%s: EventBusName must be !Ref of the stack's AWS::Events::EventBus", at))
		}
	}
	return problems
}
