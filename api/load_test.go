package api_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

const (
	specFile     = "openapi.yaml"
	templateFile = "../template.yaml"
)

// route is one HTTP API route, e.g. {"POST", "/orders/{id}/cancel"}.
type route struct{ method, path string }

func (r route) String() string { return r.method + " " + r.path }

// loadSpec reads an OpenAPI document into plain maps (it has no custom YAML tags).
func loadSpec(path string) (map[string]any, error) {
	data, err := os.ReadFile(filepath.Clean(path))
	if err != nil {
		return nil, fmt.Errorf("read spec: %w", err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("parse spec %s: %w", path, err)
	}
	return doc, nil
}

// templateRoutes lists the HttpApi events of every AWS::Serverless::Function in a SAM template. The
// template's CloudFormation short tags (!Ref, !Sub…) are left alone by walking yaml.Nodes.
func templateRoutes(data []byte) ([]route, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("parse template: %w", err)
	}
	if len(root.Content) == 0 {
		return nil, fmt.Errorf("empty template")
	}
	var routes []route
	resources := child(root.Content[0], "Resources")
	for _, res := range mappingValues(resources) {
		if scalar(child(res, "Type")) != "AWS::Serverless::Function" {
			continue
		}
		for _, event := range mappingValues(child(child(res, "Properties"), "Events")) {
			if scalar(child(event, "Type")) != "HttpApi" {
				continue
			}
			props := child(event, "Properties")
			method, path := strings.ToUpper(scalar(child(props, "Method"))), scalar(child(props, "Path"))
			if method == "" || path == "" {
				return nil, fmt.Errorf("HttpApi event at line %d has no Method or Path", event.Line)
			}
			routes = append(routes, route{method, path})
		}
	}
	sortRoutes(routes)
	return routes, nil
}

// specRoutes lists the operations of an OpenAPI document.
func specRoutes(doc map[string]any) []route {
	var routes []route
	for path, item := range asMap(doc["paths"]) {
		for method := range asMap(item) {
			if httpMethods[method] {
				routes = append(routes, route{strings.ToUpper(method), path})
			}
		}
	}
	sortRoutes(routes)
	return routes
}

var httpMethods = map[string]bool{"get": true, "put": true, "post": true, "delete": true, "options": true, "head": true, "patch": true, "trace": true}

func sortRoutes(routes []route) {
	sort.Slice(routes, func(i, j int) bool { return routes[i].String() < routes[j].String() })
}

func child(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func mappingValues(n *yaml.Node) []*yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	values := make([]*yaml.Node, 0, len(n.Content)/2)
	for i := 1; i < len(n.Content); i += 2 {
		values = append(values, n.Content[i])
	}
	return values
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func bytesReader(b []byte) *strings.Reader { return strings.NewReader(string(b)) }
