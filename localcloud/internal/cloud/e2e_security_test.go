package cloud_test

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/calltaxi/call-taxi/localcloud/internal/cloud"
	"github.com/calltaxi/call-taxi/localcloud/internal/jwtlocal"
)

// Who may call what. Every route of the template must be in exactly one of these sets, so a new route
// cannot ship without its authorization being tested.
var (
	customerRoutes = map[string]bool{
		"POST /orders": true, "GET /orders/{id}": true, "POST /orders/{id}/cancel": true,
		"GET /paymentHistories": true, "GET /mypages": true, "GET /mypages/{orderId}": true, "GET /taxis": true,
	}
	managerRoutes = map[string]bool{
		"GET /reservations": true, "GET /reservations/{id}": true, "POST /reservations/{id}/confirm": true,
	}
	driverRoutes = map[string]bool{
		"POST /taxis": true, "PATCH /taxis/{id}": true,
		"GET /assignments": true, "POST /reservations/{id}/pickup": true, "POST /reservations/{id}/complete": true,
	}
)

// securityCards are the full card numbers the flows use, as typed; none may be stored or logged.
var securityCards = []string{"4242 4242 4242 4242", "5555-5555-5555-4444", "4000000000000002"}

// TestSecurity attacks one local cloud: authentication and authorization on every route, isolation
// between customers and drivers, the body size limit, and finally what the flows left behind.
func TestSecurity(t *testing.T) {
	t.Parallel()
	logs := &syncBuffer{}
	c := startCloud(t, nil, func(cfg *cloud.Config) {
		cfg.FunctionLogs = logs
		cfg.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	routes := templateRoutes(t, c)
	customerA, customerB := newUser(t, c, "customers"), newUser(t, c, "customers")
	manager := newUser(t, c, "managers")
	driver, otherDriver := newUser(t, c, "drivers"), newUser(t, c, "drivers")
	tokens := []string{customerA.token, customerB.token, manager.token, driver.token, otherDriver.token}

	t.Run("every route is classified", func(t *testing.T) {
		for _, r := range routes {
			n := 0
			for _, set := range []map[string]bool{customerRoutes, managerRoutes, driverRoutes} {
				if set[r.key] {
					n++
				}
			}
			if n != 1 {
				t.Errorf("route %s is in %d role sets, want 1: add it to e2e_security_test.go", r.key, n)
			}
		}
	})

	t.Run("401 without a valid token on every route", func(t *testing.T) {
		bad := badTokens(t, c)
		for name, tok := range bad {
			if tok != "" {
				tokens = append(tokens, tok)
			}
			for _, r := range routes {
				var headers []string
				if tok != "" {
					headers = []string{"Authorization", "Bearer " + tok}
				}
				if resp := call(t, c, r.method, r.path("x"), bodyFor(r.method), headers...); resp.Status != 401 {
					t.Errorf("%s on %s: %d %s, want 401", name, r.key, resp.Status, resp.RawBody)
				}
			}
		}
	})

	t.Run("403 for the wrong role", func(t *testing.T) {
		for _, r := range routes {
			var callers []*user
			if !customerRoutes[r.key] {
				callers = append(callers, customerA)
			}
			if driverRoutes[r.key] || r.key == "POST /orders" {
				callers = append(callers, manager)
			}
			if managerRoutes[r.key] || r.key == "POST /orders" {
				callers = append(callers, driver)
			}
			for _, u := range callers {
				if resp := u.do(r.method, r.path("x"), bodyFor(r.method)); resp.Status != 403 || resp.errorCode() != "FORBIDDEN" {
					t.Errorf("%s on %s: %d %s, want 403", u.sub, r.key, resp.Status, resp.RawBody)
				}
			}
		}
		placed := manager.do("POST", "/orders", orderBody("basic", goodCard))
		if placed.Status != 403 {
			t.Errorf("manager places a valid order: %d %s", placed.Status, placed.RawBody)
		}
	})

	// The flows: A books with a card typed with spaces and with dashes, and with a declined card; the
	// first booking is confirmed with the driver's taxi, then cancelled.
	taxiID := registerTaxi(t, driver, "prime", 2)
	firstBody := orderBody("prime", securityCards[0])
	phone := firstBody["phone"].(string)
	first := customerA.do("POST", "/orders", firstBody, "Idempotency-Key", "security-1")
	second := customerA.do("POST", "/orders", orderBody("basic", securityCards[1]))
	declined := customerA.do("POST", "/orders", orderBody("basic", securityCards[2]))
	if first.Status != 201 || second.Status != 201 || declined.Status != 402 {
		t.Fatalf("orders: %d %s | %d %s | %d %s", first.Status, first.RawBody, second.Status, second.RawBody, declined.Status, declined.RawBody)
	}
	orderID, secondID := first.str("id"), second.str("id")
	waitMypageStatus(t, customerA, orderID, "RESERVED")
	waitMypageStatus(t, customerA, secondID, "RESERVED")

	t.Run("customers cannot see or touch each other's bookings", func(t *testing.T) {
		for _, probe := range []struct{ method, path string }{
			{"GET", "/orders/" + orderID},
			{"POST", "/orders/" + orderID + "/cancel"},
			{"GET", "/mypages/" + orderID},
			{"GET", "/paymentHistories?orderId=" + orderID},
		} {
			if r := customerB.do(probe.method, probe.path, nil); r.Status != 404 && r.Status != 403 {
				t.Errorf("B: %s %s = %d %s", probe.method, probe.path, r.Status, r.RawBody)
			}
		}
		if r := customerB.do("GET", "/mypages", nil); r.Status != 200 || len(r.items()) != 0 {
			t.Errorf("B's mypages: %d %s", r.Status, r.RawBody)
		}
		if r := customerA.do("GET", "/orders/"+orderID, nil); r.Status != 200 || r.str("status") != "PAID" {
			t.Errorf("A's order after B's attempts: %d %s", r.Status, r.RawBody)
		}
		if r := customerA.do("GET", "/paymentHistories?orderId="+orderID, nil); r.Status != 200 || len(r.items()) != 1 {
			t.Errorf("A's payments: %d %s", r.Status, r.RawBody)
		}
	})

	t.Run("a driver cannot update another driver's taxi", func(t *testing.T) {
		if r := otherDriver.do("PATCH", "/taxis/"+taxiID, map[string]any{"stockCnt": 0}); r.Status != 403 {
			t.Errorf("other driver's update: %d %s", r.Status, r.RawBody)
		}
		if got := taxiStock(t, driver, taxiID); got != 2 {
			t.Errorf("stock after the refused update = %v, want 2", got)
		}
	})

	t.Run("413 for an oversize body on every POST and PATCH route", func(t *testing.T) {
		big := fmt.Sprintf(`{"name":%q}`, strings.Repeat("x", 65<<10))
		ids := map[string]string{"{id}": orderID}
		callerFor := map[string]*user{}
		for key := range customerRoutes {
			callerFor[key] = customerA
		}
		for key := range managerRoutes {
			callerFor[key] = manager
		}
		for key := range driverRoutes {
			callerFor[key] = driver
		}
		checked := 0
		for _, r := range routes {
			if r.method != "POST" && r.method != "PATCH" {
				continue
			}
			id := ids["{id}"]
			switch {
			case strings.HasPrefix(r.key, "POST /reservations/"):
				id = "rsv-" + orderID
			case strings.HasPrefix(r.key, "PATCH /taxis/"):
				id = taxiID
			}
			checked++
			if resp := callerFor[r.key].do(r.method, r.path(id), big); resp.Status != 413 || resp.errorCode() != "PAYLOAD_TOO_LARGE" {
				t.Errorf("%s with %d bytes: %d %s", r.key, len(big), resp.Status, resp.RawBody)
			}
		}
		if checked < 7 {
			t.Errorf("checked %d POST/PATCH routes, want all 7", checked)
		}
		if r := customerA.do("GET", "/orders/"+orderID, nil); r.str("status") != "PAID" {
			t.Errorf("an oversize cancel changed the order: %s", r.RawBody)
		}
	})

	if r := manager.do("POST", "/reservations/rsv-"+orderID+"/confirm", map[string]any{"taxiId": taxiID}); r.Status != 202 {
		t.Fatalf("confirm: %d %s", r.Status, r.RawBody)
	}
	waitMypageStatus(t, customerA, orderID, "CONFIRMED")
	if r := customerA.do("POST", "/orders/"+orderID+"/cancel", nil); r.Status != 200 {
		t.Fatalf("cancel: %d %s", r.Status, r.RawBody)
	}
	waitMypageStatus(t, customerA, orderID, "CANCELED")
	eventually(t, "the taxi released and 4 statuses texted", 20*time.Second, func() (bool, string) {
		got, sms := taxiStock(t, driver, taxiID), smsFor(t, c, phone)
		statuses, _ := smsStatuses(t, c, phone)
		return got == 2 && len(statuses) == 4, fmt.Sprint(got, sms)
	})

	t.Run("no card number or token at rest, in the outbox, the DLQs or the logs", func(t *testing.T) {
		places := evidence(t, c, logs)
		secrets := map[string]string{}
		for _, card := range securityCards {
			digits := strings.NewReplacer(" ", "", "-", "").Replace(card)
			secrets["card "+card] = card
			secrets["card digits "+digits] = digits
			secrets["card without its last 4 "+digits] = digits[:len(digits)-4]
		}
		for i, tok := range tokens {
			secrets[fmt.Sprintf("token %d", i)] = tok
			if parts := strings.Split(tok, "."); len(parts) == 3 && len(parts[2]) > 16 {
				secrets[fmt.Sprintf("signature of token %d", i)] = parts[2]
			}
		}
		for place, text := range places {
			for what, secret := range secrets {
				if strings.Contains(text, secret) {
					t.Errorf("%s contains %s", place, what)
				}
			}
		}
		// The scan is only worth something if it saw the data: the booking, its SMS and its logs.
		for _, want := range []struct{ place, text string }{
			{"table " + c.Template.Tables["OrdersTable"].Name, orderID},
			{"table " + c.Template.Tables["PaymentsTable"].Name, `"cardLast4":"4242"`},
			{"sms outbox", phone},
			{"function logs", orderID},
		} {
			if !strings.Contains(places[want.place], want.text) {
				t.Errorf("%s does not contain %s: the scan looked at the wrong thing", want.place, want.text)
			}
		}
	})
}

// route is one HTTP API route of the template.
type route struct{ key, method, template string }

// path fills the route's path parameter with id.
func (r route) path(id string) string {
	start, end := strings.Index(r.template, "{"), strings.Index(r.template, "}")
	if start < 0 || end < start {
		return r.template
	}
	return r.template[:start] + id + r.template[end+1:]
}

func templateRoutes(t *testing.T, c *cloud.Cloud) []route {
	t.Helper()
	var routes []route
	for id, fn := range c.Template.Functions {
		for _, r := range fn.HttpRoutes {
			if r.Authorizer == "NONE" {
				t.Errorf("%s route %s %s has no authorizer", id, r.Method, r.Path)
			}
			routes = append(routes, route{key: r.Method + " " + r.Path, method: r.Method, template: r.Path})
		}
	}
	sort.Slice(routes, func(i, j int) bool { return routes[i].key < routes[j].key })
	if len(routes) < 12 {
		t.Fatalf("the template has %d routes, want at least 12: %v", len(routes), routes)
	}
	return routes
}

func bodyFor(method string) any {
	if method == "POST" || method == "PATCH" {
		return "{}"
	}
	return nil
}

// badTokens are tokens the authorizer must refuse ("" = no Authorization header at all).
func badTokens(t *testing.T, c *cloud.Cloud) map[string]string {
	t.Helper()
	issuer, audience := authorizerConfig(t, c)
	mint := func(req jwtlocal.MintRequest) string {
		t.Helper()
		tok, err := c.Issuer.Mint(req)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	expired, err := c.MintToken("customer-expired", []string{"customers"}, -time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	valid := mint(jwtlocal.MintRequest{Issuer: issuer, Audience: audience, Subject: "customer-valid", Groups: []string{"customers"}})
	parts := strings.Split(valid, ".")
	claims := map[string]any{
		"iss": issuer, "aud": audience, "sub": "intruder", "token_use": "id", "cognito:groups": []string{"managers"},
		"iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix(),
	}
	foreignKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	bad := map[string]string{
		"no token":        "",
		"garbage":         "not.a.jwt",
		"expired":         expired,
		"wrong issuer":    mint(jwtlocal.MintRequest{Issuer: "https://evil.example.com", Audience: audience, Subject: "intruder", Groups: []string{"managers"}}),
		"claims tampered": parts[0] + "." + encodeSegment(t, claims) + "." + parts[2],
		"signed by another key": signToken(t, foreignKey,
			map[string]string{"alg": "RS256", "typ": "JWT", "kid": c.Issuer.KeyID()}, claims),
		"alg none":       encodeSegment(t, map[string]string{"alg": "none", "typ": "JWT", "kid": c.Issuer.KeyID()}) + "." + encodeSegment(t, claims) + ".",
		"signature cut":  parts[0] + "." + parts[1] + ".",
		"signature only": parts[2],
	}
	if audience != "" {
		bad["wrong audience"] = mint(jwtlocal.MintRequest{Issuer: issuer, Audience: "another-app", Subject: "intruder", Groups: []string{"customers"}})
	}
	return bad
}

func authorizerConfig(t *testing.T, c *cloud.Cloud) (issuer, audience string) {
	t.Helper()
	for _, api := range c.Template.HttpApis {
		if a := api.Authorizers[api.DefaultAuthorizer]; a != nil {
			if len(a.Audiences) > 0 {
				audience = a.Audiences[0]
			}
			return a.Issuer, audience
		}
	}
	t.Fatal("the template has no default JWT authorizer")
	return "", ""
}

func encodeSegment(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(raw)
}

func signToken(t *testing.T, key *rsa.PrivateKey, header, claims any) string {
	t.Helper()
	input := encodeSegment(t, header) + "." + encodeSegment(t, claims)
	digest := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// evidence is everything the system keeps or says, by place: every table, the SMS outbox, every queue,
// the logs, and every file in the data dir.
func evidence(t *testing.T, c *cloud.Cloud, logs *syncBuffer) map[string]string {
	t.Helper()
	places := map[string]string{"function logs": logs.String()}
	for _, tbl := range c.Template.Tables {
		items, err := c.DynamoDB.Scan(tbl.Name)
		if err != nil {
			t.Fatalf("scan %s: %v", tbl.Name, err)
		}
		places["table "+tbl.Name] = mustJSON(t, items)
	}
	places["sms outbox"] = mustJSON(t, c.SNS.Messages())
	for _, queue := range c.SQS.QueueNames() {
		places["queue "+queue] = mustJSON(t, c.SQS.Messages(queue))
	}
	err := filepath.WalkDir(c.DataDirPath(), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		places["file "+path] = string(raw)
		return nil
	})
	if err != nil {
		t.Fatalf("read the data dir: %v", err)
	}
	return places
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// syncBuffer is a bytes.Buffer many function processes' log copiers may write to at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
