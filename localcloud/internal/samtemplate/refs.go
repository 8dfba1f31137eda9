package samtemplate

import (
	"fmt"
	"strings"
)

// Resource types the resolver gives local names and attributes to.
const (
	typeFunction       = "AWS::Serverless::Function"
	typeLambdaFunction = "AWS::Lambda::Function"
	typeLambdaAlias    = "AWS::Lambda::Alias"
	typeTable          = "AWS::DynamoDB::Table"
	typeSimpleTable    = "AWS::Serverless::SimpleTable"
	typeBus            = "AWS::Events::EventBus"
	typeQueue          = "AWS::SQS::Queue"
	typeHttpApi        = "AWS::Serverless::HttpApi"
	typeUserPool       = "AWS::Cognito::UserPool"
	typeUserPoolClient = "AWS::Cognito::UserPoolClient"
	typeTopic          = "AWS::SNS::Topic"
	typeRole           = "AWS::IAM::Role"
	typeBucket         = "AWS::S3::Bucket"
	typeLogGroup       = "AWS::Logs::LogGroup"
	typeSSMParameter   = "AWS::SSM::Parameter"
)

// nameProperty is the property that sets a resource's physical name.
var nameProperty = map[string]string{
	typeFunction:       "FunctionName",
	typeLambdaFunction: "FunctionName",
	typeTable:          "TableName",
	typeSimpleTable:    "TableName",
	typeBus:            "Name",
	typeRule:           "Name",
	typeQueue:          "QueueName",
	typeTopic:          "TopicName",
	typeRole:           "RoleName",
	typeBucket:         "BucketName",
	typeLogGroup:       "LogGroupName",
	typeSSMParameter:   "Name",
}

func (r *resolver) pseudoParameter(name string) (any, bool) {
	switch name {
	case "AWS::Region":
		return r.opts.Region, true
	case "AWS::AccountId":
		return r.opts.AccountID, true
	case "AWS::StackName":
		return r.opts.StackName, true
	case "AWS::StackId":
		return r.stackID(), true
	case "AWS::Partition":
		return "aws", true
	case "AWS::URLSuffix":
		return "amazonaws.com", true
	case "AWS::NoValue":
		return noValue, true
	case "AWS::NotificationARNs":
		return []any{}, true
	}
	return nil, false
}

func (r *resolver) ref(name string) (any, error) {
	if v, ok := r.pseudoParameter(name); ok {
		return v, nil
	}
	if v, ok := r.params[name]; ok {
		return parameterRefValue(v, r.paramTypes[name]), nil
	}
	if res, ok := r.resources[name]; ok {
		return r.refResource(res)
	}
	if id, suffix, ok := strings.Cut(name, "."); ok {
		if res, ok := r.resources[id]; ok && res.typ == typeFunction {
			return r.getAtt(id, suffix)
		}
	}
	return nil, r.unknown(name)
}

func (r *resolver) unknown(id string) error {
	if r.excluded[id] {
		return fmt.Errorf("resource %q is excluded by its Condition", id)
	}
	return fmt.Errorf("unknown parameter or resource %q", id)
}

// parameterRefValue gives list-typed parameters their list value, as CloudFormation does.
func parameterRefValue(value, typ string) any {
	if typ != "CommaDelimitedList" && !strings.HasPrefix(typ, "List<") {
		return value
	}
	parts := strings.Split(value, ",")
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = strings.TrimSpace(p)
	}
	return out
}

func (r *resolver) refResource(res *rawResource) (any, error) {
	switch res.typ {
	case typeQueue:
		name, err := r.physicalName(res)
		return r.queueURL(name), err
	case typeTopic:
		name, err := r.physicalName(res)
		return r.topicArn(name), err
	case typeUserPool:
		return r.userPoolID(res.id), nil
	case typeUserPoolClient:
		return "local" + res.id, nil
	case typeHttpApi:
		return httpApiID(res.id), nil
	case typeLambdaAlias:
		return r.aliasArn(res)
	}
	return r.physicalName(res)
}

// userPoolID is "<region>_local", or "<region>_local<LogicalId>" when the template has several pools.
func (r *resolver) userPoolID(id string) string {
	pools := 0
	for _, res := range r.resources {
		if res.typ == typeUserPool {
			pools++
		}
	}
	if pools > 1 {
		return r.opts.Region + "_local" + id
	}
	return r.opts.Region + "_local"
}

func (r *resolver) getAtt(id, attr string) (any, error) {
	res, ok := r.resources[id]
	if !ok {
		return nil, r.unknown(id)
	}
	name := func() (string, error) { return r.physicalName(res) }
	withName := func(f func(string) string) (any, error) {
		n, err := name()
		if err != nil {
			return nil, err
		}
		return f(n), nil
	}
	switch res.typ + "." + attr {
	case typeTable + ".Arn", typeSimpleTable + ".Arn":
		return withName(r.tableArn)
	case typeTable + ".StreamArn":
		if _, ok := res.props["StreamSpecification"]; !ok {
			return nil, fmt.Errorf("table %q has no StreamSpecification, so no StreamArn", id)
		}
		return withName(r.streamArn)
	case typeFunction + ".Arn", typeLambdaFunction + ".Arn":
		return withName(r.functionArn)
	case typeFunction + ".Alias":
		alias, ok := r.resources[aliasLogicalID(res)]
		if !ok || res.aliasName == "" {
			return nil, fmt.Errorf("function %q has no AutoPublishAlias", id)
		}
		return r.aliasArn(alias)
	case typeFunction + ".Version":
		return withName(func(n string) string { return r.functionArn(n) + ":1" })
	case typeBus + ".Arn":
		return withName(r.busArn)
	case typeBus + ".Name", typeQueue + ".QueueName", typeTopic + ".TopicName":
		return withName(func(n string) string { return n })
	case typeQueue + ".Arn":
		return withName(r.queueArn)
	case typeQueue + ".QueueUrl":
		return withName(r.queueURL)
	case typeTopic + ".TopicArn":
		return withName(r.topicArn)
	case typeRole + ".Arn":
		return withName(r.roleArn)
	case typeRole + ".RoleId":
		return withName(func(n string) string { return "AROALOCAL" + strings.ToUpper(n) })
	case typeUserPool + ".UserPoolId":
		return r.userPoolID(id), nil
	case typeUserPool + ".Arn":
		return r.arn("cognito-idp", "userpool/"+r.userPoolID(id)), nil
	case typeUserPool + ".ProviderName":
		return fmt.Sprintf("cognito-idp.%s.amazonaws.com/%s", r.opts.Region, r.userPoolID(id)), nil
	case typeUserPool + ".ProviderURL":
		return fmt.Sprintf("https://cognito-idp.%s.amazonaws.com/%s", r.opts.Region, r.userPoolID(id)), nil
	case typeUserPoolClient + ".ClientId":
		return "local" + id, nil
	case typeSSMParameter + ".Type":
		return r.resolveString(res.props["Type"], id+".Properties.Type")
	case typeSSMParameter + ".Value":
		return r.resolveString(res.props["Value"], id+".Properties.Value")
	case typeHttpApi + ".ApiId":
		return httpApiID(id), nil
	case typeHttpApi + ".ApiEndpoint":
		return fmt.Sprintf("https://%s.execute-api.%s.amazonaws.com", httpApiID(id), r.opts.Region), nil
	}
	if attr == "Arn" {
		return withName(func(n string) string { return r.genericArn(res.typ, n) })
	}
	return nil, fmt.Errorf("attribute %s of %s (%s) is not known locally", attr, id, res.typ)
}

// genericArn builds "arn:aws:<service>:<region>:<account>:<kind>/<name>" for "AWS::<Service>::<Kind>".
func (r *resolver) genericArn(typ, name string) string {
	parts := strings.Split(typ, "::")
	if len(parts) != 3 {
		return r.arn("unknown", name)
	}
	return r.arn(strings.ToLower(parts[1]), strings.ToLower(parts[2])+"/"+name)
}

func (r *resolver) aliasArn(alias *rawResource) (any, error) {
	fnRef, _ := alias.props["FunctionName"].(map[string]any)
	fnID, _ := fnRef["Ref"].(string)
	fn, ok := r.resources[fnID]
	if !ok {
		return nil, r.unknown(fnID)
	}
	name, err := r.physicalName(fn)
	if err != nil {
		return nil, err
	}
	aliasName, _ := alias.props["Name"].(string)
	return r.functionArn(name) + ":" + aliasName, nil
}

// physicalName is the resource's name property or "<stack>-<LogicalId>" (memoised; cycles rejected).
func (r *resolver) physicalName(res *rawResource) (string, error) {
	if n, ok := r.names[res.id]; ok {
		return n, nil
	}
	if r.naming[res.id] {
		return "", fmt.Errorf("the name of %q depends on itself", res.id)
	}
	r.naming[res.id] = true
	defer delete(r.naming, res.id)

	name := r.opts.StackName + "-" + res.id
	if prop := nameProperty[res.typ]; prop != "" {
		if v, ok := res.props[prop]; ok {
			resolved, err := r.resolveString(v, res.id+".Properties."+prop)
			if err != nil {
				return "", err
			}
			name = resolved
		} else if res.typ == typeBucket {
			name = strings.ToLower(name)
		} else if res.typ == typeQueue && isTrue(res.props["FifoQueue"]) {
			name += ".fifo"
		}
	}
	r.names[res.id] = name
	return name, nil
}

func isTrue(v any) bool {
	b, err := scalarBool(v)
	return err == nil && b
}

// httpApiID is the local API id of an HTTP API: its logical id in lower case.
func httpApiID(logicalID string) string { return strings.ToLower(logicalID) }
