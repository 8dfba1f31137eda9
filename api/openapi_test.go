package api_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/calltaxi/call-taxi/shared/validate"
)

func mustSpec(t *testing.T) map[string]any {
	t.Helper()
	doc, err := loadSpec(specFile)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestSpecRoutesMatchTemplate(t *testing.T) {
	data, err := os.ReadFile(templateFile)
	if err != nil {
		t.Fatal(err)
	}
	deployed, err := templateRoutes(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(deployed) == 0 {
		t.Fatal("template.yaml deploys no HttpApi route: the parser is broken")
	}
	for _, p := range routeDiff(specRoutes(mustSpec(t)), deployed) {
		t.Error(p)
	}
}

func TestSpecDocumentsEveryOperation(t *testing.T) {
	doc := mustSpec(t)
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", doc["openapi"])
	}
	for _, p := range danglingRefs(doc) {
		t.Error(p)
	}
	for _, p := range operationProblems(doc) {
		t.Error(p)
	}
}

func TestSpecSecurityIsBearerJWT(t *testing.T) {
	doc := mustSpec(t)
	scheme := asMap(asMap(asMap(doc["components"])["securitySchemes"])["bearerJwt"])
	if scheme["type"] != "http" || scheme["scheme"] != "bearer" || scheme["bearerFormat"] != "JWT" {
		t.Errorf("bearerJwt scheme = %v", scheme)
	}
	global := asList(doc["security"])
	if len(global) != 1 || asMap(global[0])["bearerJwt"] == nil {
		t.Errorf("global security = %v, want [bearerJwt]", global)
	}
	for _, o := range operations(doc) {
		if sec, overridden := o.op["security"]; overridden {
			t.Errorf("%s overrides security (%v) but every route is behind the JWT authorizer", o, sec)
		}
	}
}

func TestPlaceOrderTakesAnIdempotencyKey(t *testing.T) {
	doc := mustSpec(t)
	for _, o := range operations(doc) {
		if o.route != (route{"POST", "/orders"}) {
			continue
		}
		for _, p := range o.parameters {
			if p["name"] == "Idempotency-Key" && p["in"] == "header" {
				return
			}
		}
		t.Fatal("POST /orders does not document the Idempotency-Key header")
	}
	t.Fatal("POST /orders is missing")
}

// The documented phone pattern must accept exactly what the API accepts.
func TestPhonePatternAgreesWithValidation(t *testing.T) {
	doc := mustSpec(t)
	e164 := resolver{doc}.deref(map[string]any{"$ref": "#/components/schemas/E164"})
	pattern, _ := e164["pattern"].(string)
	re, err := regexp.Compile(pattern)
	if err != nil {
		t.Fatalf("E164 pattern %q: %v", pattern, err)
	}
	for _, phone := range []string{"+821012345678", "+14155550100", "+0123456789", "01012345678", "+8210", "+8210123456789012", "+82 10 1234 5678", ""} {
		if got, want := re.MatchString(phone), validate.E164(phone); got != want {
			t.Errorf("phone %q: spec pattern says %v, validate.E164 says %v", phone, got, want)
		}
	}
	required := asList(resolver{doc}.deref(map[string]any{"$ref": "#/components/schemas/PlaceOrderRequest"})["required"])
	for _, field := range []string{"name", "phone", "orderType", "cardNo"} {
		if !slices.Contains(required, any(field)) {
			t.Errorf("PlaceOrderRequest does not require %s", field)
		}
	}
}

// The checks themselves must catch a broken document.
func TestChecksCatchBrokenSpecs(t *testing.T) {
	tests := []struct {
		name string
		spec string
		want string // substring of one reported problem
	}{
		{"no 401", `
paths:
  /x:
    get:
      operationId: x
      x-calltaxi-roles: []
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: object}}}}
        '500': {$ref: '#/components/responses/E'}
components:
  schemas: {Error: {type: object}}
  responses:
    E: {description: e, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
`, "GET /x: does not document 401"},
		{"role without 403", `
paths:
  /x:
    post:
      operationId: x
      x-calltaxi-roles: [managers]
      responses:
        '202': {description: ok, content: {application/json: {schema: {type: object}}}}
        '401': {$ref: '#/components/responses/E'}
        '500': {$ref: '#/components/responses/E'}
components:
  schemas: {Error: {type: object}}
  responses:
    E: {description: e, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
`, "POST /x: does not document 403"},
		{"busy without Retry-After", `
paths:
  /x:
    get:
      operationId: x
      x-calltaxi-roles: []
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: object}}}}
        '401': {$ref: '#/components/responses/E'}
        '429': {$ref: '#/components/responses/E'}
        '500': {$ref: '#/components/responses/E'}
components:
  schemas: {Error: {type: object}}
  responses:
    E: {description: e, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
`, "429 must document a required Retry-After"},
		{"error without envelope", `
paths:
  /x:
    get:
      operationId: x
      x-calltaxi-roles: []
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: object}}}}
        '401': {description: e, content: {application/json: {schema: {type: object}}}}
        '500': {description: e, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
components:
  schemas: {Error: {type: object}}
`, "error response 401 does not use"},
		{"body without 400", `
paths:
  /x:
    post:
      operationId: x
      x-calltaxi-roles: []
      requestBody: {content: {application/json: {schema: {type: object}}}}
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: object}}}}
        '401': {$ref: '#/components/responses/E'}
        '413': {$ref: '#/components/responses/E'}
        '500': {$ref: '#/components/responses/E'}
components:
  schemas: {Error: {type: object}}
  responses:
    E: {description: e, content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}}
`, "POST /x: does not document 400"},
		{"missing roles", `
paths:
  /x:
    get:
      operationId: x
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: object}}}}
`, "has no x-calltaxi-roles"},
		{"dangling ref", `
paths:
  /x:
    get:
      operationId: x
      x-calltaxi-roles: []
      responses:
        '200': {$ref: '#/components/responses/Nope'}
`, "does not resolve"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := t.TempDir() + "/spec.yaml"
			if err := os.WriteFile(path, []byte(tt.spec), 0o600); err != nil {
				t.Fatal(err)
			}
			doc, err := loadSpec(path)
			if err != nil {
				t.Fatal(err)
			}
			problems := append(danglingRefs(doc), operationProblems(doc)...)
			if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, tt.want) }) {
				t.Errorf("want a problem containing %q, got %q", tt.want, problems)
			}
		})
	}
}

func TestRouteDiffNamesBothSides(t *testing.T) {
	spec := []route{{"GET", "/a"}, {"POST", "/b"}}
	template := []route{{"GET", "/a"}, {"GET", "/c"}}
	got := routeDiff(spec, template)
	want := []string{
		"GET /c is deployed by template.yaml but not in openapi.yaml",
		"POST /b is in openapi.yaml but template.yaml deploys no such route",
	}
	if !slices.Equal(got, want) {
		t.Errorf("routeDiff = %q, want %q", got, want)
	}
	routes, err := templateRoutes([]byte(`
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        A: {Type: HttpApi, Properties: {ApiId: !Ref Api, Method: post, Path: /orders}}
        S: {Type: SQS, Properties: {Queue: !GetAtt Q.Arn}}
  Other:
    Type: AWS::SQS::Queue
`))
	if err != nil || !slices.Equal(routes, []route{{"POST", "/orders"}}) {
		t.Errorf("templateRoutes = %v, %v", routes, err)
	}
}
