package samtemplate

import (
	"fmt"
	"strings"
)

// buildSSMParameters reads AWS::SSM::Parameter resources: Name (default "<stack>-<LogicalId>"), Type
// String or StringList (CloudFormation creates no SecureString), Value, and the optional Description,
// AllowedPattern and DataType.
func (b *builder) buildSSMParameters() error {
	for _, res := range b.resourcesOf(typeSSMParameter) {
		p := b.propsOf(res)
		for _, key := range []string{"Type", "Value"} {
			if err := p.required(key); err != nil {
				return err
			}
		}
		name, err := b.r.physicalName(res)
		if err != nil {
			return err
		}
		param := &SSMParameter{LogicalID: res.id, Name: name,
			Arn: b.r.arn("ssm", "parameter/"+strings.TrimPrefix(name, "/"))}
		if param.Type, err = p.str("Type", ""); err != nil {
			return err
		}
		if param.Type != "String" && param.Type != "StringList" {
			return &pathError{path: p.at("Type"), err: fmt.Errorf("%q: CloudFormation creates String or StringList parameters", param.Type)}
		}
		if param.Value, err = p.str("Value", ""); err != nil {
			return err
		}
		if param.Description, err = p.str("Description", ""); err != nil {
			return err
		}
		if param.AllowedPattern, err = p.str("AllowedPattern", ""); err != nil {
			return err
		}
		if param.DataType, err = p.str("DataType", ""); err != nil {
			return err
		}
		for _, key := range []string{"Policies", "Tier"} {
			if p.has(key) {
				b.u.property(key, res.id, "parameter policies and tiers are not emulated")
			}
		}
		b.t.SSMParameters[res.id] = param
	}
	return nil
}
