package calltaxi_test

import (
	"slices"
	"strings"
	"testing"
)

type templateRule struct {
	name  string
	check func(*repoUnderTest) []string
}

var templateRules = []templateRule{
	{"references resolve", checkReferences},
	{"functions are built from their folders", checkFunctionShape},
	{"every function folder is deployed", checkEveryFolderDeployed},
	{"stream events read tables with streams", checkStreamSources},
	{"routes match the code", checkRoutes},
	{"environment matches the code", checkEnvironment},
	{"least privilege", checkLeastPrivilege},
	{"event rules match the catalog", func(r *repoUnderTest) []string { return checkEventRules(r, publishedCatalog()) }},
}

func TestTemplateWiring(t *testing.T) {
	repo := loadRepo(t, ".")
	for _, rule := range templateRules {
		t.Run(rule.name, func(t *testing.T) {
			for _, problem := range rule.check(repo) {
				t.Error(problem)
			}
		})
	}
}

// TestTemplateRulesCatchBrokenFixtures proves the rules fail: each broken fixture must produce
// exactly the listed problems (so a rule can neither miss a break nor report a correct line).
func TestTemplateRulesCatchBrokenFixtures(t *testing.T) {
	cases := []struct {
		rule, fixture string
		check         func(*repoUnderTest) []string
		want          []string
	}{
		{
			rule: "references", fixture: "testdata/broken-refs", check: checkReferences,
			want: []string{
				`Resources.Fn.Condition: condition "IsProdd" is not declared`,
				`Ref to unknown name "MissingTable"`,
				`GetAtt of unknown resource "MissingQueue"`,
				`GetAtt of unknown resource "Missing"`,
				`Ref to unknown name "Fn.Alias"`,
				`condition "IsStaging" is not declared`,
			},
		},
		{
			rule: "least privilege", fixture: "testdata/broken-policy", check: checkLeastPrivilege,
			want: []string{
				`OrderFunction.Policies[0].Statement[0]: dynamodb statement names PaymentsTable, which OrderFunction may not use`,
				`OrderFunction.Policies[0].Statement[1]: lambda statement names PaymentFunction, which OrderFunction may not use`,
				`PaymentFunction.Policies[0].Statement[0]: wildcard action "dynamodb:*"`,
				`PaymentFunction.Policies[0].Statement[1]: sns:Publish is reserved to NotifyFunction`,
				`PaymentFunction.Policies[0].Statement[1]: wildcard resource "*"`,
				`PaymentFunction.Policies[0].Statement[2]: wildcard resource "arn:aws:events:*:*:event-bus/*"`,
				`PaymentFunction.Policies[0].Statement[2]: events resource "arn:aws:events:*:*:event-bus/*" names no resource`,
				`NotifyFunction.Policies[0]: only {Statement: [...]} is allowed`,
				`IdentityFunctionPolicy.Statement[0]: cognito-idp statement names OtherPool, which IdentityFunction may not use`,
				`StrayPolicy: Roles must be [!Ref <Function>Role]`,
				`OrderFunctionPolicy.Statement[0]: cognito-idp:AdminCreateUser is reserved to IdentityFunction`,
				`OrderFunctionPolicy.Statement[0]: cognito-idp statement names UserPool, which OrderFunction may not use`,
			},
		},
		{
			rule: "routes", fixture: "testdata/broken-code", check: checkRoutes,
			want: []string{
				`OrderFunction.Events.GetOrder: route "GET /orders/{id}" is not handled in functions/order`,
				`handles route "DELETE /orders/{id}", which the template does not route to it`,
			},
		},
		{
			rule: "environment", fixture: "testdata/broken-code", check: checkEnvironment,
			want: []string{
				`reads IDEMPOTENCY_TABLE, which Environment.Variables does not set`,
				`reads MIN_TAXI_PRICE, which Environment.Variables does not set`,
				`reads an environment variable whose name is not a constant string`,
			},
		},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			assertProblems(t, c.check(loadRepo(t, c.fixture)), c.want)
		})
	}
}

func TestEventRulesCatchCatalogMismatch(t *testing.T) {
	repo := loadRepo(t, ".")
	catalog := []eventSpec{
		{name: "OrderPlaced", source: "calltaxi.order", consumers: []string{"ReservationFunction", "TaxiFunction"}},
		{name: "OrderCanceled", source: "calltaxi.order", consumers: []string{"ReservationFunction"}},
		{name: "PaymentApproved", source: "calltaxi.payment", consumers: []string{"OrderFunction"}},
		{name: "PaymentCanceled", source: "calltaxi.payment"},
		{name: "ReservationConfirmed", source: "calltaxi.reservation", consumers: []string{"TaxiFunction"}},
		{name: "ReservationCanceled", source: "calltaxi.reservation", consumers: []string{"TaxiFunction"}},
		{name: "ReservationPickedUp", source: "calltaxi.reservation", consumers: []string{"OrderFunction"}},
		{name: "ReservationCompleted", source: "calltaxi.reservation", consumers: []string{"TaxiFunction"}},
		{name: "TaxiAssigned", source: "calltaxi.taxi", consumers: []string{"ReservationFunction"}},
		{name: "TaxiAssignmentRejected", source: "calltaxi.taxi", consumers: []string{"ReservationFunction", "TaxiFunction"}},
	}
	assertProblems(t, checkEventRules(repo, catalog), []string{
		`catalog: PaymentCanceled has no consumer and no External reason`,
		`TaxiFunction: no event rule with detail-type OrderPlaced and source calltaxi.order`,
		`TaxiFunction: no event rule with detail-type TaxiAssignmentRejected and source calltaxi.taxi`,
		`ReservationFunction.Events.DomainEvents: detail-type TaxiReleased is not in the event catalog`,
	})
}

// assertProblems requires a one-to-one match between problems and wanted substrings.
func assertProblems(t *testing.T, problems, want []string) {
	t.Helper()
	unmatched := slices.Clone(problems)
	for _, w := range want {
		i := slices.IndexFunc(unmatched, func(p string) bool { return strings.Contains(p, w) })
		if i < 0 {
			t.Errorf("no problem reports %q", w)
			continue
		}
		unmatched = slices.Delete(unmatched, i, i+1)
	}
	for _, p := range unmatched {
		t.Errorf("unexpected problem: %s", p)
	}
}
