package samtemplate

import (
	"fmt"
	"strings"
)

// checkRules applies the template's Rules section as CloudFormation does before it creates or updates a
// stack ("Rules" in the CloudFormation user guide, "Template Rules"): for every rule whose RuleCondition
// holds (or that has none), every Assert must hold, else the deployment fails with the AssertDescription.
// The rule functions the local cloud evaluates are those conditions use (Fn::Equals, Fn::Not, Fn::And,
// Fn::Or); Fn::Contains, Fn::EachMemberEquals and friends are refused as not emulated.
func (r *resolver) checkRules(rules map[string]any) error {
	for _, name := range sortedKeys(rules) {
		rule, err := asMap(rules[name])
		if err != nil {
			return fmt.Errorf("Rules.%s: %w", name, err)
		}
		if cond, ok := rule["RuleCondition"]; ok {
			holds, err := r.conditionExpr(cond, "Rules."+name+".RuleCondition")
			if err != nil {
				return err
			}
			if !holds {
				continue
			}
		}
		assertions, err := asList(rule["Assertions"])
		if err != nil {
			return fmt.Errorf("Rules.%s.Assertions: %w", name, err)
		}
		for i, a := range assertions {
			assertion, err := asMap(a)
			if err != nil {
				return fmt.Errorf("Rules.%s.Assertions[%d]: %w", name, i, err)
			}
			path := fmt.Sprintf("Rules.%s.Assertions[%d].Assert", name, i)
			holds, err := r.conditionExpr(assertion["Assert"], path)
			if err != nil {
				return err
			}
			if !holds {
				desc, _ := assertion["AssertDescription"].(string)
				if desc == "" {
					desc = "Template error: assertion failed"
				}
				return fmt.Errorf("template rule %s: %s", name, strings.TrimSpace(desc))
			}
		}
	}
	return nil
}
