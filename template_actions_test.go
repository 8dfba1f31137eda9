package calltaxi_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const modulePath = "github.com/calltaxi/call-taxi/"

// awsActionsUsed is the set of DynamoDB and SSM IAM actions the non-test Go code of dir, and of every
// shared package it imports (transitively), can perform: one per dynamodb.<Op>Input or ssm.<Op>Input
// literal, plus the item
// actions a TransactWriteItems entry needs (Put → PutItem, Update → UpdateItem, Delete → DeleteItem,
// ConditionCheck → ConditionCheckItem; DynamoDB developer guide "Using IAM policies with DynamoDB
// transactions").
func awsActionsUsed(t *testing.T, dir string) map[string]bool {
	t.Helper()
	used := map[string]bool{}
	seen := map[string]bool{}
	var visit func(dir string)
	visit = func(dir string) {
		if seen[dir] {
			return
		}
		seen[dir] = true
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			name := e.Name()
			if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, name), nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				if rel, ok := strings.CutPrefix(path, modulePath); ok && strings.HasPrefix(rel, "shared/") && !strings.Contains(rel, "test") {
					visit(filepath.FromSlash(rel))
				}
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.CompositeLit:
					if sel, ok := x.Type.(*ast.SelectorExpr); ok {
						if pkg, ok := sel.X.(*ast.Ident); ok && (pkg.Name == "dynamodb" || pkg.Name == "ssm") {
							if op, ok := strings.CutSuffix(sel.Sel.Name, "Input"); ok {
								used[pkg.Name+":"+op] = true
							}
						}
					}
				case *ast.KeyValueExpr:
					if key, ok := x.Key.(*ast.Ident); ok {
						if action, ok := map[string]string{"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "ConditionCheck": "ConditionCheckItem"}[key.Name]; ok {
							if u, ok := x.Value.(*ast.UnaryExpr); ok {
								if lit, ok := u.X.(*ast.CompositeLit); ok {
									if sel, ok := lit.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == key.Name {
										used["dynamodb:"+action] = true
									}
								}
							}
						}
					}
				}
				return true
			})
		}
	}
	visit(dir)
	return used
}

// Least privilege, checked against the code: every DynamoDB and SSM action a function's role grants is
// one its code performs. (Resource scoping is checkLeastPrivilege's.)
func TestRolesGrantOnlyDynamoAndSSMActionsTheCodeUses(t *testing.T) {
	repo := loadRepo(t, ".")
	checked := 0
	for _, fn := range repo.tpl.functions() {
		used := awsActionsUsed(t, filepath.Join("functions", functionFolder(fn)))
		for _, policy := range valueList(repo.tpl.functionProperties(fn)["Policies"]) {
			for _, st := range valueList(asMap(policy)["Statement"]) {
				for _, action := range stringList(asMap(st)["Action"]) {
					if !(strings.HasPrefix(action, "dynamodb:") || strings.HasPrefix(action, "ssm:")) || strings.HasPrefix(action, "dynamodb:DescribeStream") {
						continue
					}
					checked++
					if !used[action] {
						t.Errorf("%s may %s, but no code of functions/%s (or the shared packages it imports) does", fn, action, functionFolder(fn))
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no DynamoDB or SSM action checked")
	}
}

func TestAWSActionsUsedReadsTheCode(t *testing.T) {
	used := awsActionsUsed(t, filepath.Join("functions", "taxi"))
	if used := awsActionsUsed(t, filepath.Join("functions", "order")); !used["ssm:GetParameter"] {
		t.Errorf("order's code reads its runtime configuration with ssm:GetParameter (shared/runtimeconfig); found %v", used)
	}
	for _, want := range []string{"dynamodb:Scan", "dynamodb:TransactWriteItems", "dynamodb:PutItem", "dynamodb:UpdateItem"} {
		if !used[want] {
			t.Errorf("taxi's code should use %s; found %v", want, slices.Sorted(func(yield func(string) bool) {
				for k := range used {
					if !yield(k) {
						return
					}
				}
			}))
		}
	}
}
