package samtemplate

import "fmt"

const implicitHttpApiID = "ServerlessHttpApi"

// addSamGeneratedResources adds the resources the SAM transform would generate and templates may refer
// to: <Function>Alias<alias> for AutoPublishAlias, <Function>Role when no Role is given, the implicit
// ServerlessHttpApi and the SQS dead-letter queues of EventBridgeRule and Schedule events with
// DeadLetterConfig.Type SQS.
func (b *builder) addSamGeneratedResources() error {
	needsImplicitAPI := false
	for _, fn := range b.resourcesOf(typeFunction) {
		p := b.propsOf(fn)
		alias, err := p.str("AutoPublishAlias", "")
		if err != nil {
			return err
		}
		fn.aliasName = alias
		if alias != "" {
			b.addSynthetic(aliasLogicalID(fn), typeLambdaAlias, map[string]any{
				"FunctionName": map[string]any{"Ref": fn.id},
				"Name":         alias,
			})
		}
		if !p.has("Role") {
			b.addSynthetic(fn.id+"Role", typeRole, map[string]any{})
		}
		events, _ := fn.props["Events"].(map[string]any)
		for _, name := range sortedKeys(events) {
			event, _ := events[name].(map[string]any)
			eventProps, _ := event["Properties"].(map[string]any)
			switch event["Type"] {
			case "HttpApi":
				if _, explicit := eventProps["ApiId"]; !explicit {
					needsImplicitAPI = true
				}
			case "EventBridgeRule", "Schedule":
				if queueID := dlqLogicalID(fn.id, name, eventProps); queueID != "" {
					b.addSynthetic(queueID, typeQueue, map[string]any{})
				}
			}
		}
	}
	if needsImplicitAPI {
		if existing, ok := b.r.resources[implicitHttpApiID]; ok && existing.typ != typeHttpApi {
			return fmt.Errorf("%s: the implicit HTTP API id is taken by a %s", implicitHttpApiID, existing.typ)
		}
		var apiProps map[string]any
		if g, ok := b.globals["HttpApi"].(map[string]any); ok {
			apiProps = g
		}
		b.addSynthetic(implicitHttpApiID, typeHttpApi, apiProps)
	}
	return nil
}

// addSynthetic adds a generated resource unless the template already declares that logical id.
func (b *builder) addSynthetic(id, typ string, props map[string]any) {
	if _, ok := b.r.resources[id]; ok {
		return
	}
	if props == nil {
		props = map[string]any{}
	}
	b.r.resources[id] = &rawResource{id: id, typ: typ, props: props, metadata: map[string]any{}, synthetic: true}
}

// dlqLogicalID is the queue SAM creates for `DeadLetterConfig: {Type: SQS}` ("" when there is none).
func dlqLogicalID(fnID, eventName string, eventProps map[string]any) string {
	dlc, _ := eventProps["DeadLetterConfig"].(map[string]any)
	if dlc["Type"] != "SQS" {
		return ""
	}
	if id, ok := dlc["QueueLogicalId"].(string); ok && id != "" {
		return id
	}
	return fnID + eventName + "Queue"
}
