package ddbemu

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"sort"
	"strings"

	"github.com/truora/minidyn/interpreter/language"
	"github.com/truora/minidyn/types"
)

// Condition, filter, update and projection expressions are parsed and evaluated by minidyn's
// expression language (interpreter/language); this file adapts it to items kept as DynamoDB JSON
// and fixes how an update's result becomes the new item (see applyUpdate).

// exprInput is what every expression of a request shares.
type exprInput struct {
	names     map[string]string
	values    map[string]*types.Item
	rawValues rawItem
}

func newExprInput(names map[string]string, values rawItem) (exprInput, error) {
	in := exprInput{names: names, rawValues: values}
	if len(values) > 0 {
		in.values = make(map[string]*types.Item, len(values))
		for k, v := range values {
			item, err := decodeTypesValue(v)
			if err != nil {
				return in, fmt.Errorf("ExpressionAttributeValues contains invalid value for key %s: %w", k, err)
			}
			in.values[k] = item
		}
	}
	return in, nil
}

func (in exprInput) env(item map[string]*types.Item) (*language.Environment, error) {
	env := language.NewEnvironment()
	env.Aliases = maps.Clone(in.names)
	if env.Aliases == nil {
		env.Aliases = map[string]string{}
	}
	if err := env.AddAttributes(item); err != nil {
		return nil, err
	}
	if err := env.AddAttributes(in.values); err != nil {
		return nil, err
	}
	return env, nil
}

// condition is a parsed ConditionExpression or FilterExpression.
type condition struct {
	label string
	ast   *language.ConditionalExpression
}

// parseCondition parses a condition; nil for an empty expression.
func parseCondition(label, expr string, names map[string]string) (*condition, error) {
	if strings.TrimSpace(expr) == "" {
		return nil, nil
	}
	p := language.NewParser(language.NewLexer(expr))
	ast := p.ParseConditionalExpression()
	if errs := p.Errors(); len(errs) > 0 || ast.Expression == nil {
		return nil, fmt.Errorf("Invalid %s: Syntax error; %s", label, strings.Join(errs, "; "))
	}
	if undeclared := language.UndeclaredExpressionAttributeNames(expr, names); len(undeclared) > 0 {
		return nil, fmt.Errorf("Invalid %s: An expression attribute name used in the document path is not defined; attribute name: %s", label, undeclared[0])
	}
	return &condition{label: label, ast: ast}, nil
}

// match evaluates the condition on an item (empty for a missing item: "attribute_not_exists" holds).
func (c *condition) match(in exprInput, item map[string]*types.Item) (bool, error) {
	if c == nil {
		return true, nil
	}
	env, err := in.env(item)
	if err != nil {
		return false, err
	}
	result := language.Eval(c.ast, env)
	if result.Type() == language.ObjectTypeError {
		return false, fmt.Errorf("Invalid %s: %s", c.label, result.Inspect())
	}
	return result == language.TRUE, nil
}

// update is a parsed UpdateExpression.
type update struct {
	ast *language.UpdateStatement
}

func parseUpdate(expr string, names map[string]string, hashKey, rangeKey string) (*update, error) {
	p := language.NewUpdateParser(language.NewLexer(expr))
	ast := p.ParseUpdateExpression()
	if errs := p.Errors(); len(errs) > 0 || ast.Expression == nil {
		return nil, fmt.Errorf("Invalid UpdateExpression: Syntax error; %s", strings.Join(errs, "; "))
	}
	if undeclared := language.UndeclaredExpressionAttributeNames(expr, names); len(undeclared) > 0 {
		return nil, fmt.Errorf("Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: %s", undeclared[0])
	}
	if err := language.ValidateUpdateExpressionDoesNotTargetPrimaryKey(expr, names, hashKey, rangeKey); err != nil {
		return nil, err
	}
	return &update{ast: ast}, nil
}

// actions lists the update's SET/REMOVE/ADD/DELETE actions.
func (u *update) actions() []*language.ActionExpression {
	ue, _ := u.ast.Expression.(*language.UpdateExpression)
	if ue == nil {
		return nil
	}
	var out []*language.ActionExpression
	for _, e := range ue.Expressions {
		if a, ok := e.(*language.ActionExpression); ok {
			out = append(out, a)
		}
	}
	return out
}

// roots lists the top-level attributes the update writes (after ExpressionAttributeNames).
func (u *update) roots(names map[string]string) []string {
	var out []string
	for _, a := range u.actions() {
		left := a.Left
		for {
			ix, ok := left.(*language.IndexExpression)
			if !ok {
				break
			}
			left = ix.Left
		}
		id, ok := left.(*language.Identifier)
		if !ok {
			continue
		}
		name := id.Value
		if n, ok := names[name]; ok {
			name = n
		}
		out = append(out, name)
	}
	return out
}

// applyUpdate evaluates the update on a copy of the item and returns the new item's attributes.
// Attributes the update does not write keep their stored bytes; each written top-level attribute
// takes its new value, or goes if the update removed it ("REMOVE - Removes one or more attributes
// from an item", Update expressions,
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html).
// minidyn's own Apply copies the evaluation's attributes onto the item and so never removes one.
func (u *update) apply(in exprInput, oldAttrs rawItem) (rawItem, error) {
	oldTypes, err := decodeTypesItem(oldAttrs)
	if err != nil {
		return nil, err
	}
	env, err := in.env(oldTypes)
	if err != nil {
		return nil, err
	}
	result := language.EvalUpdate(u.ast, env)
	if result.Type() == language.ObjectTypeError {
		if e, ok := result.(*language.Error); ok {
			return nil, fmt.Errorf("%s", e.Message)
		}
		return nil, fmt.Errorf("%s", result.Inspect())
	}
	evaluated := map[string]*types.Item{}
	exclude := make(map[string]bool, len(in.values))
	for k := range in.values {
		exclude[k] = true
	}
	env.Apply(evaluated, map[string]string{}, exclude)
	next := maps.Clone(oldAttrs)
	if next == nil {
		next = rawItem{}
	}
	for _, root := range u.roots(in.names) {
		v, ok := evaluated[root]
		if !ok {
			delete(next, root)
			continue
		}
		raw, err := encodeTypesValue(v)
		if err != nil {
			return nil, err
		}
		next[root] = raw
	}
	// The language holds numbers as float64; a value set as given keeps its digits (DynamoDB numbers
	// have up to 38 digits of precision, Data types,
	// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html).
	for root, placeholder := range u.directAssignments(in.names) {
		if v, ok := in.rawValues[placeholder]; ok {
			if _, kept := next[root]; kept {
				next[root] = v
			}
		}
	}
	return next, nil
}

// directAssignments maps the top-level attributes set straight from a placeholder ("SET a = :v", the
// last such action per attribute) to the placeholder.
func (u *update) directAssignments(names map[string]string) map[string]string {
	out := map[string]string{}
	for _, a := range u.actions() {
		if a.Token.Type != language.SET {
			continue
		}
		left, ok := a.Left.(*language.Identifier)
		if !ok {
			continue
		}
		right, ok := a.Right.(*language.Identifier)
		if !ok || !strings.HasPrefix(right.Value, ":") {
			continue
		}
		name := left.Value
		if n, ok := names[name]; ok {
			name = n
		}
		out[name] = right.Value
	}
	return out
}

// updatedPaths projects the document paths the update writes from an item, for ReturnValues
// UPDATED_OLD and UPDATED_NEW ("UPDATED_OLD - Returns only the updated attributes, as they
// appeared before the UpdateItem operation", UpdateItem API reference,
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html).
func (u *update) updatedPaths(in exprInput, attrs rawItem) (rawItem, error) {
	item, err := decodeTypesItem(attrs)
	if err != nil {
		return nil, err
	}
	var paths []language.Expression
	for _, a := range u.actions() {
		paths = append(paths, a.Left)
	}
	return projectPaths(in, item, paths)
}

// projection is a parsed ProjectionExpression.
type projection struct {
	paths []language.Expression
	top   []string // the attribute names, when every path is a top-level name
}

func parseProjection(expr string, names map[string]string) (*projection, error) {
	if strings.TrimSpace(expr) == "" {
		return nil, nil
	}
	p := language.NewParser(language.NewLexer(expr))
	paths := p.ParseProjectionExpression()
	if errs := p.Errors(); len(errs) > 0 {
		return nil, fmt.Errorf("Invalid ProjectionExpression: Syntax error; %s", strings.Join(errs, "; "))
	}
	if undeclared := language.UndeclaredExpressionAttributeNames(expr, names); len(undeclared) > 0 {
		return nil, fmt.Errorf("Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; attribute name: %s", undeclared[0])
	}
	proj := &projection{paths: paths}
	for _, path := range paths {
		id, ok := path.(*language.Identifier)
		if !ok {
			proj.top = nil
			break
		}
		name := id.Value
		if n, ok := names[name]; ok {
			name = n
		}
		proj.top = append(proj.top, name)
	}
	return proj, nil
}

// apply projects an item; top-level names are picked from the stored bytes as they are.
func (p *projection) apply(in exprInput, attrs rawItem) (rawItem, error) {
	if p.top != nil {
		out := make(rawItem, len(p.top))
		for _, name := range p.top {
			if v, ok := attrs[name]; ok {
				out[name] = v
			}
		}
		return out, nil
	}
	item, err := decodeTypesItem(attrs)
	if err != nil {
		return nil, err
	}
	return projectPaths(in, item, p.paths)
}

func projectPaths(in exprInput, item map[string]*types.Item, paths []language.Expression) (rawItem, error) {
	env, err := in.env(item)
	if err != nil {
		return nil, err
	}
	projected := map[string]*types.Item{}
	for _, path := range paths {
		v := language.Eval(path, env)
		if language.IsUndefinedObject(v) || v.Type() == language.ObjectTypeError {
			continue
		}
		elems, err := language.ExtractPath(path, env)
		if err != nil {
			return nil, err
		}
		language.SetProjectedPath(projected, elems, v.ToDynamoDB())
	}
	out := make(rawItem, len(projected))
	for k, v := range projected {
		raw, err := encodeTypesValue(v)
		if err != nil {
			return nil, err
		}
		out[k] = raw
	}
	return out, nil
}

var (
	namePlaceholder  = regexp.MustCompile(`^#[A-Za-z0-9_]+$`)
	valuePlaceholder = regexp.MustCompile(`^:[A-Za-z0-9_]+$`)
)

// checkPlaceholders refuses ExpressionAttributeNames and ExpressionAttributeValues that no
// expression of the request uses, as DynamoDB does ("Value provided in ExpressionAttributeValues
// unused in expressions", Expression attribute names,
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeNames.html).
func checkPlaceholders(names map[string]string, values rawItem, expressions ...string) error {
	all := strings.TrimSpace(strings.Join(expressions, " "))
	unused := func(keys []string) []string {
		var out []string
		for _, k := range keys {
			if !strings.Contains(all, k) {
				out = append(out, k)
			}
		}
		sort.Strings(out)
		return out
	}
	nameKeys := make([]string, 0, len(names))
	for k := range names {
		nameKeys = append(nameKeys, k)
	}
	valueKeys := make([]string, 0, len(values))
	for k := range values {
		valueKeys = append(valueKeys, k)
	}
	if missing := unused(nameKeys); len(missing) > 0 {
		if all == "" {
			return fmt.Errorf("ExpressionAttributeNames can only be specified when using expressions")
		}
		return fmt.Errorf("Value provided in ExpressionAttributeNames unused in expressions: keys: {%s}", strings.Join(missing, ", "))
	}
	for _, k := range nameKeys {
		if !namePlaceholder.MatchString(k) {
			return fmt.Errorf("ExpressionAttributeNames contains invalid key: Syntax error; key: %s", k)
		}
	}
	if missing := unused(valueKeys); len(missing) > 0 {
		if all == "" {
			return fmt.Errorf("ExpressionAttributeValues can only be specified when using expressions")
		}
		return fmt.Errorf("Value provided in ExpressionAttributeValues unused in expressions: keys: {%s}", strings.Join(missing, ", "))
	}
	for _, k := range valueKeys {
		if !valuePlaceholder.MatchString(k) {
			return fmt.Errorf("ExpressionAttributeValues contains invalid key: Syntax error; key: %s", k)
		}
	}
	return nil
}

// decodeTypesItem converts DynamoDB JSON attributes to minidyn's attribute values.
func decodeTypesItem(attrs rawItem) (map[string]*types.Item, error) {
	out := make(map[string]*types.Item, len(attrs))
	for k, v := range attrs {
		item, err := decodeTypesValue(v)
		if err != nil {
			return nil, fmt.Errorf("attribute %s: %w", k, err)
		}
		out[k] = item
	}
	return out, nil
}

// decodeTypesValue decodes one DynamoDB JSON value; types.Item's field names are the JSON's.
func decodeTypesValue(v json.RawMessage) (*types.Item, error) {
	var item types.Item
	if err := json.Unmarshal(v, &item); err != nil {
		return nil, err
	}
	return &item, nil
}

// encodeTypesValue renders a minidyn attribute value as canonical DynamoDB JSON.
func encodeTypesValue(v *types.Item) (json.RawMessage, error) {
	var buf bytes.Buffer
	if err := writeTypesValue(&buf, v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeTypesValue(buf *bytes.Buffer, v *types.Item) error {
	str := func(tag, s string) error {
		buf.WriteString(`{"` + tag + `":`)
		if err := writeJSONString(buf, s); err != nil {
			return err
		}
		buf.WriteByte('}')
		return nil
	}
	strs := func(tag string, list []string) error {
		sort.Strings(list)
		buf.WriteString(`{"` + tag + `":[`)
		for i, s := range list {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeJSONString(buf, s); err != nil {
				return err
			}
		}
		buf.WriteString("]}")
		return nil
	}
	switch {
	case v == nil:
		return fmt.Errorf("nil attribute value")
	case v.S != nil:
		return str("S", *v.S)
	case v.N != nil:
		return str("N", *v.N)
	case v.BOOL != nil:
		fmt.Fprintf(buf, `{"BOOL":%t}`, *v.BOOL)
	case v.NULL != nil:
		buf.WriteString(`{"NULL":true}`)
	case v.B != nil:
		return str("B", base64.StdEncoding.EncodeToString(v.B))
	case v.SS != nil:
		return strs("SS", derefAll(v.SS))
	case v.NS != nil:
		return strs("NS", derefAll(v.NS))
	case v.BS != nil:
		list := make([]string, len(v.BS))
		for i, b := range v.BS {
			list[i] = base64.StdEncoding.EncodeToString(b)
		}
		return strs("BS", list)
	case v.L != nil:
		buf.WriteString(`{"L":[`)
		for i, e := range v.L {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeTypesValue(buf, e); err != nil {
				return err
			}
		}
		buf.WriteString("]}")
	case v.M != nil:
		keys := make([]string, 0, len(v.M))
		for k := range v.M {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		buf.WriteString(`{"M":{`)
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeJSONString(buf, k); err != nil {
				return err
			}
			buf.WriteByte(':')
			if err := writeTypesValue(buf, v.M[k]); err != nil {
				return err
			}
		}
		buf.WriteString("}}")
	default:
		return fmt.Errorf("attribute value without a type")
	}
	return nil
}

func derefAll(ps []*string) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		if p != nil {
			out = append(out, *p)
		}
	}
	return out
}
