package apigw

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

type jwtContext struct {
	claims map[string]string
	scopes []string
}

var errNoToken = errors.New("no token")

// authorize runs the JWT authorizer: the token comes from the identity source header, with or
// without the "Bearer " prefix.
func (g *Gateway) authorize(r *http.Request, auth *JWTAuthorizer) (*jwtContext, error) {
	source := auth.IdentitySource
	if source == "" {
		source = defaultIdentitySource
	}
	headerName, ok := strings.CutPrefix(source, "$request.header.")
	if !ok {
		return nil, fmt.Errorf("unsupported identity source %q", source)
	}
	token := strings.TrimSpace(r.Header.Get(headerName))
	if len(token) > 7 && strings.EqualFold(token[:7], "bearer ") {
		token = strings.TrimSpace(token[7:])
	}
	if token == "" {
		return nil, errNoToken
	}
	claims, err := g.cfg.Verifier.Verify(token, auth.Issuer, auth.Audiences)
	if err != nil {
		return nil, err
	}
	ctx := &jwtContext{claims: make(map[string]string, len(claims))}
	for k, v := range claims {
		ctx.claims[k] = claimString(v)
	}
	if scope, ok := claims["scope"].(string); ok && scope != "" {
		ctx.scopes = strings.Fields(scope)
	}
	return ctx, nil
}

// claimString flattens a claim the way API Gateway does: arrays become "[a b c]", numbers their
// decimal text.
func claimString(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = claimString(e)
		}
		return "[" + strings.Join(parts, " ") + "]"
	case []string:
		return "[" + strings.Join(v, " ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + ":" + claimString(v[k])
		}
		return "map[" + strings.Join(parts, " ") + "]"
	default:
		return fmt.Sprint(v)
	}
}

// writeUnauthorized answers 401 before any function runs, with the WWW-Authenticate header the
// JWT authorizer sends.
func writeUnauthorized(w http.ResponseWriter, err error) {
	challenge := "Bearer"
	if !errors.Is(err, errNoToken) {
		challenge = fmt.Sprintf(`Bearer scope="" error="invalid_token" error_description=%q`, err.Error())
	}
	w.Header().Set("WWW-Authenticate", challenge)
	writeMessage(w, http.StatusUnauthorized, "Unauthorized")
}
