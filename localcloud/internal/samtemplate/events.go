package samtemplate

import "fmt"

// readEvents reads the function's Events into routes, rules, streams, queues and schedules (each in event
// name order).
func (b *builder) readEvents(res *rawResource, p props, fn *Function) error {
	events, _, err := p.block("Events")
	if err != nil {
		return err
	}
	for _, name := range sortedKeys(events.m) {
		event, _, err := events.block(name)
		if err != nil {
			return err
		}
		typ, err := event.str("Type", "")
		if err != nil {
			return err
		}
		ep, _, err := event.block("Properties")
		if err != nil {
			return err
		}
		switch typ {
		case "HttpApi":
			route, err := b.httpRoute(res.id, name, ep)
			if err != nil {
				return err
			}
			fn.HttpRoutes = append(fn.HttpRoutes, route)
		case "EventBridgeRule":
			rule, err := b.eventRule(fn, name, ep)
			if err != nil {
				return err
			}
			fn.Rules = append(fn.Rules, rule)
		case "DynamoDB":
			stream, err := b.streamEvent(fn, name, ep)
			if err != nil {
				return err
			}
			fn.Streams = append(fn.Streams, stream)
		case "Schedule":
			schedule, err := b.scheduleEvent(fn, name, ep)
			if err != nil {
				return err
			}
			fn.Schedules = append(fn.Schedules, schedule)
		case "SQS":
			queue, err := b.queueEvent(fn, name, ep)
			if err != nil {
				return err
			}
			fn.Queues = append(fn.Queues, queue)
		case "Cognito":
			if err := b.cognitoEvent(fn, name, ep); err != nil {
				return err
			}
		case "":
			return &pathError{path: event.at("Type"), err: fmt.Errorf("required property is missing")}
		default:
			b.u.property("Events of type "+typ, res.id+"."+name, "this event source is not emulated")
		}
	}
	return nil
}

// checkRoutes validates each route against its API and authorizers once all APIs are built.
func (b *builder) checkRoutes() error {
	for _, id := range sortedKeys(b.t.Functions) {
		for _, route := range b.t.Functions[id].HttpRoutes {
			where := id + ".Properties.Events." + route.EventName
			api, ok := b.t.HttpApis[route.ApiLogicalID]
			if !ok {
				return fmt.Errorf("%s: ApiId %q is not an AWS::Serverless::HttpApi of this template", where, route.ApiLogicalID)
			}
			if route.Authorizer != "" && route.Authorizer != "NONE" && !b.authorizerExists(api, route.Authorizer) {
				return fmt.Errorf("%s: API %s has no authorizer named %q", where, api.LogicalID, route.Authorizer)
			}
		}
	}
	return nil
}
