package ddbemu

import (
	"fmt"
	"strings"
)

// keyCondition is a parsed KeyConditionExpression: equality on the partition key and at most one
// condition on the sort key (=, <, <=, >, >=, BETWEEN, begins_with), the forms the Query API
// accepts (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.KeyConditionExpressions.html).
// Values are kept encoded (keyenc.go), so the partition is a key prefix and the sort key
// condition a range of keys.
type keyCondition struct {
	partition string // encoded partition key value
	op        string // "" (none), "=", "<", "<=", ">", ">=", "BETWEEN", "BEGINS_WITH"
	low, high string // encoded operands (high: BETWEEN only); begins_with: the unterminated prefix
}

type keyTerm struct {
	attr, op string
	values   []string // placeholders
}

// parseKeyCondition parses the expression against the key schema hash/rangeKey.
func parseKeyCondition(expr string, names map[string]string, values rawItem, hashKey, rangeKey string) (*keyCondition, error) {
	toks := keyConditionTokens.FindAllString(expr, -1)
	if strings.TrimSpace(expr) == "" || len(toks) == 0 {
		return nil, fmt.Errorf("Query key condition not supported")
	}
	var terms []keyTerm
	pos := 0
	peek := func() string {
		if pos < len(toks) {
			return toks[pos]
		}
		return ""
	}
	next := func() string { t := peek(); pos++; return t }
	resolve := func(name string) (string, error) {
		if strings.HasPrefix(name, "#") {
			n, ok := names[name]
			if !ok {
				return "", fmt.Errorf("Invalid KeyConditionExpression: An expression attribute name used in the document path is not defined; attribute name: %s", name)
			}
			return n, nil
		}
		return name, nil
	}
	value := func() (string, error) {
		v := next()
		if !strings.HasPrefix(v, ":") {
			return "", fmt.Errorf("Invalid KeyConditionExpression: Syntax error; token: %q", v)
		}
		if _, ok := values[v]; !ok {
			return "", fmt.Errorf("Invalid KeyConditionExpression: An expression attribute value used in expression is not defined; attribute value: %s", v)
		}
		return v, nil
	}
	var term func() error
	term = func() error {
		switch tok := next(); {
		case tok == "(":
			if err := term(); err != nil {
				return err
			}
			for strings.EqualFold(peek(), "AND") {
				next()
				if err := term(); err != nil {
					return err
				}
			}
			if next() != ")" {
				return fmt.Errorf("Invalid KeyConditionExpression: Syntax error; unbalanced parentheses")
			}
			return nil
		case strings.EqualFold(tok, "begins_with"):
			if next() != "(" {
				return fmt.Errorf("Invalid KeyConditionExpression: Syntax error; begins_with")
			}
			attr, err := resolve(next())
			if err != nil {
				return err
			}
			if next() != "," {
				return fmt.Errorf("Invalid KeyConditionExpression: Syntax error; begins_with")
			}
			v, err := value()
			if err != nil {
				return err
			}
			if next() != ")" {
				return fmt.Errorf("Invalid KeyConditionExpression: Syntax error; begins_with")
			}
			terms = append(terms, keyTerm{attr: attr, op: "BEGINS_WITH", values: []string{v}})
			return nil
		default:
			attr, err := resolve(tok)
			if err != nil {
				return err
			}
			op := strings.ToUpper(next())
			switch op {
			case "=", "<", "<=", ">", ">=":
				v, err := value()
				if err != nil {
					return err
				}
				terms = append(terms, keyTerm{attr: attr, op: op, values: []string{v}})
			case "BETWEEN":
				lo, err := value()
				if err != nil {
					return err
				}
				if !strings.EqualFold(next(), "AND") {
					return fmt.Errorf("Invalid KeyConditionExpression: Syntax error; BETWEEN without AND")
				}
				hi, err := value()
				if err != nil {
					return err
				}
				terms = append(terms, keyTerm{attr: attr, op: op, values: []string{lo, hi}})
			default:
				return fmt.Errorf("Invalid KeyConditionExpression: Syntax error; operator %q", op)
			}
			return nil
		}
	}
	for {
		if err := term(); err != nil {
			return nil, err
		}
		if pos >= len(toks) {
			break
		}
		if !strings.EqualFold(next(), "AND") {
			return nil, fmt.Errorf("Invalid KeyConditionExpression: Syntax error; only AND combines key conditions")
		}
	}
	kc := &keyCondition{}
	var havePartition bool
	for _, t := range terms {
		encoded := make([]string, len(t.values))
		for i, v := range t.values {
			b, err := encodeKeyValue(nil, values[v])
			if err != nil {
				return nil, fmt.Errorf("One or more parameter values were invalid: Condition parameter type does not match schema type")
			}
			encoded[i] = string(b)
		}
		switch {
		case t.attr == hashKey && t.op == "=" && !havePartition:
			kc.partition, havePartition = encoded[0], true
		case t.attr == rangeKey && rangeKey != "" && kc.op == "":
			kc.op, kc.low = t.op, encoded[0]
			if t.op == "BETWEEN" {
				kc.high = encoded[1]
				if kc.low > kc.high {
					return nil, fmt.Errorf("Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound")
				}
			}
			if t.op == "BEGINS_WITH" {
				if kc.low[0] != keyTagBytes {
					return nil, fmt.Errorf("Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N")
				}
				kc.low = strings.TrimSuffix(kc.low, "\x00\x01")
			}
		case t.attr == hashKey:
			return nil, fmt.Errorf("Query key condition not supported")
		default:
			return nil, fmt.Errorf("Query condition missed key schema element: %s", hashKey)
		}
	}
	if !havePartition {
		return nil, fmt.Errorf("Query condition missed key schema element: %s", hashKey)
	}
	return kc, nil
}

// rangeStatus places an encoded sort key value against the condition: whether it matches, and
// whether every later key (in the direction of travel) is out of range too.
func (kc *keyCondition) rangeStatus(value string, forward bool) (match, done bool) {
	c := func(bound string) int { return strings.Compare(value, bound) }
	switch kc.op {
	case "":
		return true, false
	case "=":
		return c(kc.low) == 0, (forward && c(kc.low) > 0) || (!forward && c(kc.low) < 0)
	case "<":
		return c(kc.low) < 0, forward && c(kc.low) >= 0
	case "<=":
		return c(kc.low) <= 0, forward && c(kc.low) > 0
	case ">":
		return c(kc.low) > 0, !forward && c(kc.low) <= 0
	case ">=":
		return c(kc.low) >= 0, !forward && c(kc.low) < 0
	case "BETWEEN":
		in := c(kc.low) >= 0 && c(kc.high) <= 0
		return in, (forward && c(kc.high) > 0) || (!forward && c(kc.low) < 0)
	case "BEGINS_WITH":
		has := strings.HasPrefix(value, kc.low)
		return has, (forward && !has && c(kc.low) > 0) || (!forward && !has && c(kc.low) < 0)
	}
	return false, true
}

// startKey is where iteration starts: the partition's first possible key going forward (or the
// lower bound of the sort key condition), and a key past its last one going backward.
func (kc *keyCondition) startKey(forward bool) string {
	if forward {
		switch kc.op {
		case "=", ">", ">=", "BETWEEN", "BEGINS_WITH":
			return kc.partition + kc.low
		}
		return kc.partition
	}
	switch kc.op {
	case "=", "<", "<=":
		return kc.partition + kc.low + "\xff"
	case "BETWEEN":
		return kc.partition + kc.high + "\xff"
	case "BEGINS_WITH":
		return kc.partition + kc.low + "\xff"
	}
	return kc.partition + "\xff"
}

// splitComponent cuts the first encoded key value off a key.
func splitComponent(key string) (component, rest string) {
	if key == "" {
		return "", ""
	}
	switch key[0] {
	case keyTagZero:
		return key[:1], key[1:]
	case keyTagPositive:
		if i := strings.IndexByte(key[3:], 0x00); i >= 0 {
			return key[:3+i+1], key[3+i+1:]
		}
	case keyTagNegative:
		if i := strings.IndexByte(key[3:], 0xFF); i >= 0 {
			return key[:3+i+1], key[3+i+1:]
		}
	case keyTagBytes:
		b := []byte(key)
		for i := 1; i+1 < len(b); i++ {
			if b[i] == 0x00 {
				if b[i+1] == 0x01 {
					return key[:i+2], key[i+2:]
				}
				i++ // escaped 0x00
			}
		}
	}
	return key, ""
}
