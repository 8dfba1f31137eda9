package samtemplate

import (
	"fmt"
	"strings"
)

// httpRoute reads an HttpApi event. Without Path and Method it is the API's $default route.
func (b *builder) httpRoute(fnID, eventName string, p props) (HttpRoute, error) {
	route := HttpRoute{EventName: eventName, ApiLogicalID: implicitHttpApiID}
	apiID, err := p.str("ApiId", "")
	if err != nil {
		return route, err
	}
	if apiID != "" {
		if route.ApiLogicalID = b.httpApiByID(apiID); route.ApiLogicalID == "" {
			return route, &pathError{path: p.at("ApiId"), err: fmt.Errorf("%q is not an AWS::Serverless::HttpApi of this template", apiID)}
		}
	}
	if route.Method, err = p.str("Method", ""); err != nil {
		return route, err
	}
	if route.Path, err = p.str("Path", ""); err != nil {
		return route, err
	}
	switch {
	case route.Method == "" && route.Path == "":
		route.Method, route.Path = "ANY", "$default"
	case route.Method == "" || route.Path == "":
		return route, &pathError{path: p.path, err: fmt.Errorf("give both Method and Path, or neither for the $default route")}
	}
	route.Method = strings.ToUpper(route.Method)
	version, err := p.str("PayloadFormatVersion", "2.0")
	if err != nil {
		return route, err
	}
	if version != "2.0" {
		b.u.property("PayloadFormatVersion "+version, fnID+"."+eventName, "routes always send payload format 2.0")
	}
	auth, _, err := p.block("Auth")
	if err != nil {
		return route, err
	}
	if route.Authorizer, err = auth.str("Authorizer", ""); err != nil {
		return route, err
	}
	if route.AuthorizationScopes, err = auth.strings("AuthorizationScopes"); err != nil {
		return route, err
	}
	return route, nil
}

// httpApiByID finds the logical id of the API whose Ref value (API id) is apiID.
func (b *builder) httpApiByID(apiID string) string {
	for _, id := range sortedKeys(b.t.HttpApis) {
		if b.t.HttpApis[id].ApiID == apiID {
			return id
		}
	}
	return ""
}
