package samtemplate

import "fmt"

const defaultIdentitySource = "$request.header.Authorization"

// unsupportedHttpApiProperties explains HTTP API properties the local cloud ignores.
var unsupportedHttpApiProperties = map[string]string{
	"DefinitionBody":       "OpenAPI definitions are not read; routes come from function events",
	"DefinitionUri":        "OpenAPI definitions are not read; routes come from function events",
	"Domain":               "no custom domains locally",
	"AccessLogSettings":    "no access logs locally",
	"DefaultRouteSettings": "no throttling locally",
	"RouteSettings":        "no throttling locally",
}

func (b *builder) buildHttpApis() error {
	b.skippedAuthorizers = map[string]map[string]bool{}
	for _, res := range b.resourcesOf(typeHttpApi) {
		api, err := b.httpApi(res)
		if err != nil {
			return err
		}
		b.t.HttpApis[res.id] = api
	}
	return nil
}

func (b *builder) httpApi(res *rawResource) (*HttpApi, error) {
	p := b.propsOf(res)
	api := &HttpApi{LogicalID: res.id, ApiID: httpApiID(res.id), Authorizers: map[string]*JWTAuthorizer{}}
	var err error
	if api.StageName, err = p.str("StageName", "$default"); err != nil {
		return nil, err
	}
	for _, key := range sortedKeys(unsupportedHttpApiProperties) {
		if p.has(key) {
			b.u.property(key, res.id, unsupportedHttpApiProperties[key])
		}
	}
	auth, _, err := p.block("Auth")
	if err != nil {
		return nil, err
	}
	if err := b.readAuthorizers(res.id, auth, api); err != nil {
		return nil, err
	}
	if api.DefaultAuthorizer, err = auth.str("DefaultAuthorizer", ""); err != nil {
		return nil, err
	}
	if api.DefaultAuthorizer != "" && !b.authorizerExists(api, api.DefaultAuthorizer) {
		return nil, &pathError{path: auth.at("DefaultAuthorizer"), err: fmt.Errorf("no authorizer named %q", api.DefaultAuthorizer)}
	}
	if isTrue(auth.m["EnableIamAuthorizer"]) {
		b.u.property("Auth.EnableIamAuthorizer", res.id, "IAM authorization is not emulated")
	}
	if api.CORS, err = corsConfiguration(p); err != nil {
		return nil, err
	}
	return api, nil
}

func (b *builder) readAuthorizers(apiID string, auth props, api *HttpApi) error {
	authorizers, _, err := auth.block("Authorizers")
	if err != nil {
		return err
	}
	for _, name := range sortedKeys(authorizers.m) {
		a, _, err := authorizers.block(name)
		if err != nil {
			return err
		}
		jwt, isJWT, err := a.block("JwtConfiguration")
		if err != nil {
			return err
		}
		if !isJWT {
			b.u.property("Auth.Authorizers."+name, apiID, "only JWT authorizers are emulated")
			if b.skippedAuthorizers[apiID] == nil {
				b.skippedAuthorizers[apiID] = map[string]bool{}
			}
			b.skippedAuthorizers[apiID][name] = true
			continue
		}
		j := &JWTAuthorizer{Name: name}
		// SAM spells these in lower case; CloudFormation's ApiGatewayV2 capitalises them.
		issuerKey, audienceKey := "issuer", "audience"
		if !jwt.has(issuerKey) && jwt.has("Issuer") {
			issuerKey, audienceKey = "Issuer", "Audience"
		}
		if j.Issuer, err = jwt.str(issuerKey, ""); err != nil {
			return err
		}
		if j.Audiences, err = jwt.strings(audienceKey); err != nil {
			return err
		}
		if j.Issuer == "" {
			return &pathError{path: jwt.at(issuerKey), err: fmt.Errorf("required property is missing")}
		}
		if j.IdentitySource, err = a.str("IdentitySource", defaultIdentitySource); err != nil {
			return err
		}
		if j.AuthorizationScopes, err = a.strings("AuthorizationScopes"); err != nil {
			return err
		}
		api.Authorizers[name] = j
	}
	return nil
}

func (b *builder) authorizerExists(api *HttpApi, name string) bool {
	_, ok := api.Authorizers[name]
	return ok || b.skippedAuthorizers[api.LogicalID][name]
}

// corsConfiguration reads CorsConfiguration: true means AllowOrigins ["*"] (as SAM does), false or absent nil.
func corsConfiguration(p props) (*CORS, error) {
	v, ok, err := p.value("CorsConfiguration")
	if err != nil || !ok {
		return nil, err
	}
	if enabled, isBool := v.(bool); isBool {
		if !enabled {
			return nil, nil
		}
		return &CORS{AllowOrigins: []string{"*"}}, nil
	}
	c, _, err := p.block("CorsConfiguration")
	if err != nil {
		return nil, err
	}
	cors := &CORS{}
	lists := []struct {
		key string
		dst *[]string
	}{
		{"AllowOrigins", &cors.AllowOrigins}, {"AllowMethods", &cors.AllowMethods},
		{"AllowHeaders", &cors.AllowHeaders}, {"ExposeHeaders", &cors.ExposeHeaders},
	}
	for _, l := range lists {
		if *l.dst, err = c.strings(l.key); err != nil {
			return nil, err
		}
	}
	if cors.MaxAge, err = c.integer("MaxAge", 0); err != nil {
		return nil, err
	}
	if cors.AllowCredentials, err = c.boolean("AllowCredentials", false); err != nil {
		return nil, err
	}
	return cors, nil
}
