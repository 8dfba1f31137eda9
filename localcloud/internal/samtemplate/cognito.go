package samtemplate

import (
	"fmt"
	"strings"
)

const typeUserPoolGroup = "AWS::Cognito::UserPoolGroup"

// cognitoTriggers are the LambdaConfig entries that name a function (AWS::Cognito::UserPool LambdaConfig),
// the values a SAM Cognito event's Trigger may take.
var cognitoTriggers = map[string]bool{
	"CreateAuthChallenge": true, "CustomMessage": true, "DefineAuthChallenge": true, "PostAuthentication": true,
	"PostConfirmation": true, "PreAuthentication": true, "PreSignUp": true, "PreTokenGeneration": true,
	"UserMigration": true, "VerifyAuthChallengeResponse": true,
}

// buildUserPools reads the user pools with their groups; triggers come from Cognito events (cognitoEvent)
// and from the pool's own LambdaConfig (resolvePoolTriggers), once the functions exist.
func (b *builder) buildUserPools() error {
	for _, res := range b.resourcesOf(typeUserPool) {
		id := b.r.userPoolID(res.id)
		b.t.UserPools[res.id] = &UserPool{LogicalID: res.id, ID: id, Arn: b.r.arn("cognito-idp", "userpool/"+id), Triggers: map[string]string{}}
	}
	for _, res := range b.resourcesOf(typeUserPoolGroup) {
		p := b.propsOf(res)
		poolID, err := p.str("UserPoolId", "")
		if err != nil {
			return err
		}
		pool := b.userPoolByID(poolID)
		if pool == nil {
			return &pathError{path: p.at("UserPoolId"), err: fmt.Errorf("%q is not a user pool of this template", poolID)}
		}
		if err := p.required("GroupName"); err != nil {
			return err
		}
		name, err := p.str("GroupName", "")
		if err != nil {
			return err
		}
		pool.Groups = append(pool.Groups, name)
	}
	return nil
}

func (b *builder) userPoolByID(id string) *UserPool {
	for _, pool := range b.t.UserPools {
		if pool.ID == id {
			return pool
		}
	}
	return nil
}

// cognitoEvent reads a Cognito event (SAM: UserPool, a Ref to a pool of the template; Trigger, one name or a
// list): the pool invokes the function (its alias, with AutoPublishAlias) for each trigger.
func (b *builder) cognitoEvent(fn *Function, eventName string, p props) error {
	for _, key := range []string{"UserPool", "Trigger"} {
		if err := p.required(key); err != nil {
			return err
		}
	}
	poolID, err := p.str("UserPool", "")
	if err != nil {
		return err
	}
	pool := b.userPoolByID(poolID)
	if pool == nil {
		return &pathError{path: p.at("UserPool"), err: fmt.Errorf("%q is not a user pool of this template", poolID)}
	}
	triggers, err := p.strings("Trigger")
	if err != nil {
		return err
	}
	for _, trigger := range triggers {
		if err := setTrigger(pool, trigger, fn.Name); err != nil {
			return &pathError{path: p.at("Trigger"), err: err}
		}
	}
	return nil
}

func setTrigger(pool *UserPool, trigger, function string) error {
	if !cognitoTriggers[trigger] {
		return fmt.Errorf("%q is not a user pool Lambda trigger", trigger)
	}
	if other, taken := pool.Triggers[trigger]; taken && other != function {
		return fmt.Errorf("user pool %s already invokes %s for %s", pool.LogicalID, other, trigger)
	}
	pool.Triggers[trigger] = function
	return nil
}

// resolvePoolTriggers reads each pool's LambdaConfig: a function's ARN, or its alias's.
func (b *builder) resolvePoolTriggers() error {
	for _, res := range b.resourcesOf(typeUserPool) {
		pool := b.t.UserPools[res.id]
		config, _, err := b.propsOf(res).block("LambdaConfig")
		if err != nil {
			return err
		}
		for _, trigger := range sortedKeys(config.m) {
			if !cognitoTriggers[trigger] {
				b.u.property("LambdaConfig."+trigger, res.id, "only triggers that name a function are emulated")
				continue
			}
			arn, err := config.str(trigger, "")
			if err != nil {
				return err
			}
			fn := b.functionByArn(arn)
			if fn == nil {
				return &pathError{path: config.at(trigger), err: fmt.Errorf("%q is not a function of this template", arn)}
			}
			if err := setTrigger(pool, trigger, fn.Name); err != nil {
				return &pathError{path: config.at(trigger), err: err}
			}
		}
	}
	return nil
}

func (b *builder) functionByArn(arn string) *Function {
	for _, fn := range b.t.Functions {
		if arn == fn.Arn || (fn.AutoPublishAlias != "" && arn == fn.Arn+":"+fn.AutoPublishAlias) ||
			(!strings.HasPrefix(arn, "arn:") && arn == fn.Name) {
			return fn
		}
	}
	return nil
}
