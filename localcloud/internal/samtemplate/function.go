package samtemplate

import (
	"fmt"
	"strings"
	"time"
)

const (
	defaultTimeout  = 3 * time.Second
	defaultMemoryMB = 128
)

func (b *builder) buildFunctions() error {
	for _, res := range b.resourcesOf(typeFunction) {
		fn, err := b.function(res)
		if err != nil {
			return err
		}
		b.t.Functions[res.id] = fn
	}
	return nil
}

func (b *builder) function(res *rawResource) (*Function, error) {
	p := b.propsOf(res)
	name, err := b.r.physicalName(res)
	if err != nil {
		return nil, err
	}
	fn := &Function{LogicalID: res.id, Name: name, Arn: b.r.functionArn(name), AutoPublishAlias: res.aliasName}
	if err := b.readCode(res, p, fn); err != nil {
		return nil, err
	}
	if fn.Timeout, err = p.seconds("Timeout", defaultTimeout); err != nil {
		return nil, err
	}
	if fn.MemoryMB, err = p.integer("MemorySize", defaultMemoryMB); err != nil {
		return nil, err
	}
	if fn.ReservedConcurrency, err = p.optionalInt("ReservedConcurrentExecutions"); err != nil {
		return nil, err
	}
	if fn.Env, err = environment(p); err != nil {
		return nil, err
	}
	if fn.EventInvoke, err = b.eventInvokeConfig(res.id, p); err != nil {
		return nil, err
	}
	for _, key := range sortedKeys(unsupportedFunctionProperties) {
		if p.has(key) {
			b.u.property(key, res.id, unsupportedFunctionProperties[key])
		}
	}
	if err := b.readEvents(res, p, fn); err != nil {
		return nil, err
	}
	return fn, nil
}

func (b *builder) readCode(res *rawResource, p props, fn *Function) error {
	var err error
	if code, isMap := plainMap(res.props["CodeUri"]); isMap && len(code) > 0 {
		b.u.property("CodeUri", res.id, "S3 code locations are not built locally")
	} else if fn.CodeURI, err = p.str("CodeUri", ""); err != nil {
		return err
	}
	if fn.Handler, err = p.str("Handler", ""); err != nil {
		return err
	}
	if fn.Runtime, err = p.str("Runtime", ""); err != nil {
		return err
	}
	if fn.Architectures, err = p.strings("Architectures"); err != nil {
		return err
	}
	if len(fn.Architectures) == 0 {
		fn.Architectures = []string{"x86_64"}
	}
	meta := props{r: b.r, m: res.metadata, path: res.id + ".Metadata"}
	fn.BuildMethod, err = meta.str("BuildMethod", "")
	return err
}

func environment(p props) (map[string]string, error) {
	env := map[string]string{}
	e, _, err := p.block("Environment")
	if err != nil {
		return nil, err
	}
	vars, _, err := e.block("Variables")
	if err != nil {
		return nil, err
	}
	for _, name := range sortedKeys(vars.m) {
		v, ok, err := vars.value(name)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		s, err := scalarString(v)
		if err != nil {
			return nil, &pathError{path: vars.at(name), err: fmt.Errorf("environment values must be strings: %w", err)}
		}
		env[name] = s
	}
	return env, nil
}

func (b *builder) eventInvokeConfig(fnID string, p props) (*EventInvokeConfig, error) {
	c, ok, err := p.block("EventInvokeConfig")
	if err != nil || !ok {
		return nil, err
	}
	cfg := &EventInvokeConfig{}
	if cfg.MaximumRetryAttempts, err = c.optionalInt("MaximumRetryAttempts"); err != nil {
		return nil, err
	}
	maxAge, err := c.optionalInt("MaximumEventAgeInSeconds")
	if err != nil {
		return nil, err
	}
	if maxAge != nil {
		d := time.Duration(*maxAge) * time.Second
		cfg.MaximumEventAge = &d
	}
	dest, _, err := c.block("DestinationConfig")
	if err != nil {
		return nil, err
	}
	if dest.has("OnSuccess") {
		b.u.property("EventInvokeConfig.DestinationConfig.OnSuccess", fnID, "on-success destinations are not emulated")
	}
	onFailure, _, err := dest.block("OnFailure")
	if err != nil {
		return nil, err
	}
	typ, err := onFailure.str("Type", "")
	if err != nil {
		return nil, err
	}
	arn, err := onFailure.str("Destination", "")
	if err != nil {
		return nil, err
	}
	switch {
	case arn == "":
	case typ == "SQS" || (typ == "" && strings.HasPrefix(arn, "arn:aws:sqs:")):
		cfg.OnFailureQueue = queueNameFromArn(arn)
	default:
		b.u.property("EventInvokeConfig.DestinationConfig.OnFailure", fnID, "only SQS on-failure destinations are emulated")
	}
	return cfg, nil
}
