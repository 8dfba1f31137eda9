package cloud

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/calltaxi/call-taxi/localcloud/internal/apigw"
	"github.com/calltaxi/call-taxi/localcloud/internal/awsclock"
	"github.com/calltaxi/call-taxi/localcloud/internal/cognitoemu"
	"github.com/calltaxi/call-taxi/localcloud/internal/ddbemu"
	"github.com/calltaxi/call-taxi/localcloud/internal/eventbus"
	"github.com/calltaxi/call-taxi/localcloud/internal/jwtlocal"
	"github.com/calltaxi/call-taxi/localcloud/internal/lambdaemu"
	"github.com/calltaxi/call-taxi/localcloud/internal/latency"
	"github.com/calltaxi/call-taxi/localcloud/internal/samtemplate"
	"github.com/calltaxi/call-taxi/localcloud/internal/scheduler"
	"github.com/calltaxi/call-taxi/localcloud/internal/snsemu"
	"github.com/calltaxi/call-taxi/localcloud/internal/sqsemu"
	"github.com/calltaxi/call-taxi/localcloud/internal/sqsesm"
	"github.com/calltaxi/call-taxi/localcloud/internal/ssmemu"
	"github.com/calltaxi/call-taxi/localcloud/internal/streams"
)

// Cloud is a running local cloud.
type Cloud struct {
	cfg      Config
	log      *slog.Logger
	Template *samtemplate.Template

	APIURL      string // the HTTP API (and /_local/ control)
	ServicesURL string // what AWS_ENDPOINT_URL_<SERVICE> points at

	Lambda   *lambdaemu.Service
	DynamoDB *ddbemu.Service
	Bus      *eventbus.Bus
	SNS      *snsemu.Service
	SQS      *sqsemu.Service
	Cognito  *cognitoemu.Service // the template's user pools: sign-up (POST /_local/signup) and the admin group API
	SSM      *ssmemu.Service     // Parameter Store: the template's AWS::SSM::Parameter resources
	Clock    *awsclock.Clock     // AWS time: Config.TimeScale AWS seconds per wall second
	Issuer   *jwtlocal.Issuer
	pollers  map[string]*streams.Poller
	latency  *latency.Profile // nil: no latency added
	calls    apiCalls         // the services endpoint's requests by operation (GET /_local/calls)
	Tracer   *latency.Tracer  // with a latency profile: the AWS calls of recent X-Ray trace roots

	Scheduler        *scheduler.Scheduler // scheduled rules: Schedule events and rules with a ScheduleExpression
	queuePollers     map[string]*sqsesm.Poller
	deadLetterQueues []string // the queues /_local/dlq lists

	authorizer *apigw.JWTAuthorizer // the default authorizer's issuer/audience, for minting
	servers    []*http.Server
	cancel     context.CancelFunc
	closeOnce  sync.Once
	StartedIn  time.Duration
}

// Start builds the functions and brings every service up. Close stops it all.
func Start(ctx context.Context, cfg Config) (*Cloud, error) {
	started := time.Now()
	cfg = withDefaults(cfg)
	c := &Cloud{cfg: cfg, log: cfg.Logger, pollers: map[string]*streams.Poller{}, queuePollers: map[string]*sqsesm.Poller{},
		Clock: awsclock.New(cfg.TimeScale)}
	runCtx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	if err := c.start(ctx, runCtx); err != nil {
		c.Close()
		return nil, err
	}
	c.StartedIn = time.Since(started)
	return c, nil
}

func withDefaults(cfg Config) Config {
	if cfg.RepoRoot == "" {
		cfg.RepoRoot = "."
	}
	// Function processes run in their own working directories: every path handed on must be absolute.
	if abs, err := filepath.Abs(cfg.RepoRoot); err == nil {
		cfg.RepoRoot = abs
	}
	if cfg.Template == "" {
		cfg.Template = filepath.Join(cfg.RepoRoot, "template.yaml")
	}
	if cfg.Samconfig == "" {
		cfg.Samconfig = filepath.Join(cfg.RepoRoot, "samconfig.toml")
	}
	if cfg.SamconfigEnv == "" {
		cfg.SamconfigEnv = "default"
	}
	if cfg.APIAddr == "" {
		cfg.APIAddr = "127.0.0.1:3000"
	}
	if cfg.ServicesAddr == "" {
		cfg.ServicesAddr = "127.0.0.1:4566"
	}
	if cfg.DataDir == "" {
		cfg.DataDir = filepath.Join(cfg.RepoRoot, ".localcloud")
	}
	if abs, err := filepath.Abs(cfg.DataDir); err == nil {
		cfg.DataDir = abs
	}
	if cfg.BuildDir == "" {
		cfg.BuildDir = filepath.Join(cfg.DataDir, "build")
	}
	if cfg.AccountConcurrency == 0 {
		cfg.AccountConcurrency = 1000
	}
	if cfg.TokenTTL == 0 {
		cfg.TokenTTL = 12 * time.Hour
	}
	if cfg.StaticDir == "" {
		if st, err := os.Stat(filepath.Join(cfg.RepoRoot, "web")); err == nil && st.IsDir() {
			cfg.StaticDir = filepath.Join(cfg.RepoRoot, "web")
		}
	} else if cfg.StaticDir == "-" {
		cfg.StaticDir = ""
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	if cfg.FunctionLogs == nil {
		cfg.FunctionLogs = os.Stderr
	}
	return cfg
}

func (c *Cloud) start(ctx, runCtx context.Context) error {
	cfg := c.cfg
	if cfg.Reset {
		if err := os.RemoveAll(cfg.DataDir); err != nil {
			return fmt.Errorf("reset data dir: %w", err)
		}
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}

	var err error
	if c.latency, err = latency.ByName(cfg.Latency); err != nil {
		return err
	}
	if c.latency != nil {
		c.Tracer = latency.NewTracer(10_000)
	}
	tmpl, err := c.loadTemplate()
	if err != nil {
		return err
	}
	c.Template = tmpl
	for _, line := range tmpl.Unsupported {
		c.log.Warn("not emulated locally", "what", line)
	}

	ids := sortedKeys(tmpl.Functions)
	binaries, err := buildFunctions(ctx, cfg.RepoRoot, cfg.BuildDir, ids, cfg.SkipBuild)
	if err != nil {
		return err
	}

	servicesLn, err := net.Listen("tcp", cfg.ServicesAddr)
	if err != nil {
		return fmt.Errorf("listen for AWS endpoints on %s: %w", cfg.ServicesAddr, err)
	}
	c.ServicesURL = "http://" + servicesLn.Addr().String()
	apiLn, err := net.Listen("tcp", cfg.APIAddr)
	if err != nil {
		servicesLn.Close()
		return fmt.Errorf("listen for the API on %s: %w", cfg.APIAddr, err)
	}
	c.APIURL = "http://" + apiLn.Addr().String()

	if c.SQS, err = sqsemu.New(sqsemu.Options{Dir: filepath.Join(cfg.DataDir, "sqs"), Logger: c.log, Region: region, AccountID: accountID, Clock: c.Clock}); err != nil {
		return fmt.Errorf("sqs: %w", err)
	}
	if err := c.createQueues(tmpl); err != nil {
		return err
	}
	c.deadLetterQueues = deadLetterQueues(tmpl)
	smsRate := cfg.SMSPartsPerSecond
	switch {
	case smsRate == 0:
		smsRate = DefaultSMSPartsPerSecond
	case smsRate < 0:
		smsRate = 0 // unlimited
	}
	if c.SNS, err = snsemu.New(snsemu.Options{Dir: cfg.DataDir, Logger: c.log, Region: region, AccountID: accountID,
		SMSPartsPerSecond: smsRate, Clock: c.Clock}); err != nil {
		return fmt.Errorf("sns: %w", err)
	}
	if c.DynamoDB, err = ddbemu.New(ddbemu.Options{DataDir: cfg.DataDir, Logger: c.log, Region: region, AccountID: accountID,
		TransactionConflictRate: cfg.TransactionConflictRate, TTLDeletionDelay: cfg.TTLDeletionDelay, Clock: c.Clock}); err != nil {
		return fmt.Errorf("dynamodb: %w", err)
	}
	if err := c.DynamoDB.CreateTables(tableSpecs(tmpl)); err != nil {
		return fmt.Errorf("create tables: %w", err)
	}

	c.Cognito = cognitoemu.New(c.Clock.Now)
	for _, pool := range tmpl.UserPools {
		c.Cognito.CreatePool(pool.ID, pool.Groups)
	}
	if c.SSM, err = createParameters(tmpl, c.Clock.Now); err != nil {
		return err
	}

	c.Lambda = lambdaemu.New(lambdaemu.Options{AccountConcurrency: cfg.AccountConcurrency, Logger: c.log, LogOutput: cfg.FunctionLogs,
		Destinations: c.SQS, Clock: c.Clock})
	for _, id := range ids {
		fn := tmpl.Functions[id]
		fc := lambdaemu.FunctionConfig{
			Name:                fn.Name,
			Binary:              binaries[id],
			Env:                 c.functionEnv(fn),
			Timeout:             fn.Timeout,
			MemoryMB:            fn.MemoryMB,
			ReservedConcurrency: fn.ReservedConcurrency,
			Architectures:       fn.Architectures,
		}
		if ei := fn.EventInvoke; ei != nil {
			fc.MaximumRetryAttempts, fc.MaximumEventAge, fc.OnFailure = ei.MaximumRetryAttempts, ei.MaximumEventAge, ei.OnFailureQueue
		}
		if err := c.Lambda.Register(fc); err != nil {
			return fmt.Errorf("register %s: %w", id, err)
		}
	}

	c.Bus = eventbus.New(eventbus.Options{Region: region, AccountID: accountID, Logger: c.log, Invoker: c.Lambda,
		Queues: queueSender{c.SQS}, DeadLetters: c.SQS, Clock: c.Clock,
		DeliveryDelay: latency.DeliveryDelay(c.latency, c.Clock, latency.EventBridgeToLambda)})
	if err := c.addRules(tmpl); err != nil {
		return err
	}
	if err := c.addEventRules(tmpl); err != nil {
		return err
	}
	schedules, err := scheduler.FromTemplate(tmpl)
	if err != nil {
		return err
	}
	if c.Scheduler, err = scheduler.Start(scheduler.Options{Region: region, AccountID: accountID, Logger: c.log, Clock: c.Clock, Deliverer: c.Bus}, schedules); err != nil {
		return err
	}
	if err := c.startStreams(runCtx, tmpl); err != nil {
		return err
	}
	if err := c.startQueueMappings(runCtx, tmpl); err != nil {
		return err
	}

	keyFile := filepath.Join(cfg.DataDir, "jwt-signing-key.pem")
	if c.Issuer, err = jwtlocal.NewIssuer(keyFile); err != nil {
		return fmt.Errorf("token issuer: %w", err)
	}
	gateway, err := c.gateway(tmpl)
	if err != nil {
		return err
	}

	mux := c.calls.count(servicesMux{lambda: c.Lambda.Handler(), dynamodb: c.DynamoDB, eventbridge: c.Bus, sns: c.SNS, sqs: c.SQS, cognito: c.Cognito, ssm: c.SSM})
	if c.latency != nil {
		c.serve(servicesLn, latency.Middleware(c.latency, c.Clock, c.Tracer, mux))
	} else {
		c.serve(servicesLn, mux)
	}
	c.serve(apiLn, c.apiHandler(gateway))
	return nil
}

func (c *Cloud) loadTemplate() (*samtemplate.Template, error) {
	overrides := map[string]string{}
	if c.cfg.Samconfig != "-" {
		if _, err := os.Stat(c.cfg.Samconfig); err == nil {
			fromFile, err := samtemplate.ReadSamconfig(c.cfg.Samconfig, c.cfg.SamconfigEnv)
			if err != nil {
				return nil, fmt.Errorf("read %s: %w", c.cfg.Samconfig, err)
			}
			for k, v := range fromFile {
				overrides[k] = v
			}
		}
	}
	for k, v := range c.cfg.ParameterOverrides {
		overrides[k] = v
	}
	tmpl, err := samtemplate.Load(c.cfg.Template, samtemplate.Options{Region: region, AccountID: accountID, ParameterOverrides: overrides})
	if err != nil {
		return nil, fmt.Errorf("read template: %w", err)
	}
	return tmpl, nil
}

// functionEnv is the template's environment plus what Lambda itself provides and the endpoints that
// send every SDK call to this local cloud.
func (c *Cloud) functionEnv(fn *samtemplate.Function) map[string]string {
	env := map[string]string{}
	for k, v := range fn.Env {
		env[k] = v
	}
	for _, svc := range []string{"DYNAMODB", "EVENTBRIDGE", "SNS", "SQS", "LAMBDA", "COGNITO_IDENTITY_PROVIDER", "SSM"} {
		env["AWS_ENDPOINT_URL_"+svc] = c.ServicesURL
	}
	env["AWS_ACCESS_KEY_ID"] = "local"
	env["AWS_SECRET_ACCESS_KEY"] = "local"
	env["AWS_SESSION_TOKEN"] = "local"
	env["AWS_REGION"] = region
	env["AWS_DEFAULT_REGION"] = region
	env["AWS_EC2_METADATA_DISABLED"] = "true"
	return env
}

// createParameters creates the template's SSM parameters with their values, as a fresh deploy would.
func createParameters(tmpl *samtemplate.Template, now func() time.Time) (*ssmemu.Service, error) {
	svc := ssmemu.New(ssmemu.Options{Region: region, AccountID: accountID, Now: now})
	for _, id := range sortedKeys(tmpl.SSMParameters) {
		p := tmpl.SSMParameters[id]
		if _, err := svc.Put(ssmemu.PutInput{Name: p.Name, Value: p.Value, Type: p.Type, Description: p.Description,
			AllowedPattern: p.AllowedPattern, DataType: p.DataType}); err != nil {
			return nil, fmt.Errorf("ssm parameter %s: %w", id, err)
		}
	}
	return svc, nil
}

func tableSpecs(tmpl *samtemplate.Template) []ddbemu.TableSpec {
	var specs []ddbemu.TableSpec
	for _, id := range sortedKeys(tmpl.Tables) {
		t := tmpl.Tables[id]
		specs = append(specs, ddbemu.TableSpec{Name: t.Name, StreamViewType: t.StreamViewType, TTLAttribute: t.TTLAttribute,
			KeySchema: t.KeySchema, AttributeDefinitions: t.AttributeDefinitions, GlobalSecondaryIndexes: t.GSIs})
	}
	return specs
}

func (c *Cloud) addRules(tmpl *samtemplate.Template) error {
	for _, bus := range tmpl.Buses {
		c.Bus.AddBus(bus.Name)
	}
	for _, id := range sortedKeys(tmpl.Functions) {
		fn := tmpl.Functions[id]
		for _, r := range fn.Rules {
			if !r.Enabled {
				continue
			}
			pattern, err := eventbus.CompilePattern(r.Pattern)
			if err != nil {
				return fmt.Errorf("%s event %s: %w", id, r.EventName, err)
			}
			rule := eventbus.Rule{Name: r.RuleName, BusName: r.BusName, Function: fn.Name, Pattern: pattern,
				DeadLetterQueue: r.DeadLetterQueue, MaximumRetryAttempts: r.RetryAttempts}
			if r.MaxEventAge != nil {
				rule.MaximumEventAge = *r.MaxEventAge
			}
			if err := c.Bus.AddRule(rule); err != nil {
				return fmt.Errorf("%s event %s: %w", id, r.EventName, err)
			}
		}
	}
	return nil
}

func (c *Cloud) startStreams(ctx context.Context, tmpl *samtemplate.Template) error {
	for _, id := range sortedKeys(tmpl.Functions) {
		fn := tmpl.Functions[id]
		for _, s := range fn.Streams {
			if !s.Enabled {
				continue
			}
			stream := c.DynamoDB.Stream(s.TableName)
			if stream == nil {
				return fmt.Errorf("%s event %s: table %s has no stream", id, s.EventName, s.TableName)
			}
			for _, f := range s.Filters {
				if _, err := eventbus.CompilePattern(f); err != nil {
					return fmt.Errorf("%s event %s filter: %w", id, s.EventName, err)
				}
			}
			m := streams.Mapping{
				Name:                       id + "." + s.EventName,
				Function:                   fn.Name,
				Stream:                     stream,
				BatchSize:                  s.BatchSize,
				ParallelizationFactor:      s.ParallelizationFactor,
				MaximumBatchingWindow:      s.MaximumBatchingWindow,
				StartingPosition:           s.StartingPosition,
				ReportBatchItemFailures:    s.ReportBatchItemFailures,
				MaximumRetryAttempts:       -1,
				BisectBatchOnFunctionError: s.BisectBatchOnFunctionError,
				OnFailure:                  s.OnFailureQueue,
				Matcher:                    eventbus.CachingMatcher(),
				DeliveryDelay:              latency.DeliveryDelay(c.latency, c.Clock, latency.StreamsToLambda),
			}
			for _, f := range s.Filters {
				m.Filters = append(m.Filters, []byte(f))
			}
			if s.MaximumRetryAttempts != nil {
				m.MaximumRetryAttempts = *s.MaximumRetryAttempts
			}
			c.pollers[m.Name] = streams.Start(ctx, m, c.Lambda, c.SQS, c.log)
		}
	}
	return nil
}

func (c *Cloud) gateway(tmpl *samtemplate.Template) (*apigw.Gateway, error) {
	var routes []apigw.Route
	var cors *apigw.CORS
	for _, api := range tmpl.HttpApis {
		if api.CORS != nil {
			cors = &apigw.CORS{AllowOrigins: api.CORS.AllowOrigins, AllowMethods: api.CORS.AllowMethods, AllowHeaders: api.CORS.AllowHeaders,
				ExposeHeaders: api.CORS.ExposeHeaders, MaxAge: api.CORS.MaxAge, AllowCredentials: api.CORS.AllowCredentials}
		}
	}
	for _, id := range sortedKeys(tmpl.Functions) {
		fn := tmpl.Functions[id]
		for _, r := range fn.HttpRoutes {
			route := apigw.Route{Method: r.Method, Path: r.Path, Function: fn.Name}
			api := tmpl.HttpApis[r.ApiLogicalID]
			name := r.Authorizer
			if name == "" && api != nil {
				name = api.DefaultAuthorizer
			}
			if name != "" && name != "NONE" {
				if api == nil || api.Authorizers[name] == nil {
					return nil, fmt.Errorf("%s route %s %s: unknown authorizer %q", id, r.Method, r.Path, name)
				}
				a := api.Authorizers[name]
				route.Authorizer = &apigw.JWTAuthorizer{Name: a.Name, Issuer: a.Issuer, Audiences: a.Audiences, IdentitySource: a.IdentitySource}
				if c.authorizer == nil {
					c.authorizer = route.Authorizer
				}
			}
			routes = append(routes, route)
		}
	}
	return apigw.New(apigw.Config{Routes: routes, CORS: cors, Invoker: c.Lambda, Verifier: c.Issuer, Logger: c.log})
}

func (c *Cloud) serve(ln net.Listener, h http.Handler) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	c.servers = append(c.servers, srv)
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			c.log.Error("server stopped", "addr", ln.Addr().String(), "error", err)
		}
	}()
}

// MintToken returns a token the HTTP API's authorizer accepts, for any subject and groups.
func (c *Cloud) MintToken(subject string, groups []string, ttl time.Duration) (string, error) {
	req := jwtlocal.MintRequest{Subject: subject, Groups: groups, TTL: ttl}
	if ttl == 0 {
		req.TTL = c.cfg.TokenTTL
	}
	if c.authorizer != nil {
		req.Issuer = c.authorizer.Issuer
		if len(c.authorizer.Audiences) > 0 {
			req.Audience = c.authorizer.Audiences[0]
		}
	}
	return c.Issuer.Mint(req)
}

// FunctionName maps a logical id or a physical name to the physical name.
func (c *Cloud) FunctionName(name string) (string, bool) {
	for id, fn := range c.Template.Functions {
		if name == id || name == fn.Name || strings.EqualFold(name, strings.TrimSuffix(id, "Function")) {
			return fn.Name, true
		}
	}
	return "", false
}

// Close stops servers, deliveries and every function process.
func (c *Cloud) Close() {
	c.closeOnce.Do(func() {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		for _, srv := range c.servers {
			_ = srv.Shutdown(shutdownCtx)
		}
		if c.cancel != nil {
			c.cancel()
		}
		for _, p := range c.pollers {
			p.Stop()
		}
		for _, p := range c.queuePollers {
			p.Stop()
		}
		if c.Scheduler != nil {
			c.Scheduler.Close()
		}
		if c.Bus != nil {
			c.Bus.Close()
		}
		if c.Lambda != nil {
			c.Lambda.Close()
		}
		if c.SQS != nil {
			if err := c.SQS.Close(); err != nil {
				c.log.Error("close sqs", "error", err)
			}
		}
		if c.DynamoDB != nil {
			if err := c.DynamoDB.Close(); err != nil {
				c.log.Error("close dynamodb", "error", err)
			}
		}
	})
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// DataDirPath is where the local cloud keeps its data.
func (c *Cloud) DataDirPath() string { return c.cfg.DataDir }

// StartIssuerOnly loads the template and the persisted signing key without starting anything, so a
// token for a running local cloud can be minted from the command line.
func StartIssuerOnly(cfg Config) (*Cloud, error) {
	cfg = withDefaults(cfg)
	c := &Cloud{cfg: cfg, log: cfg.Logger}
	tmpl, err := c.loadTemplate()
	if err != nil {
		return nil, err
	}
	c.Template = tmpl
	if c.Issuer, err = jwtlocal.NewIssuer(filepath.Join(cfg.DataDir, "jwt-signing-key.pem")); err != nil {
		return nil, err
	}
	if _, err := c.gateway(tmpl); err != nil {
		return nil, err
	}
	return c, nil
}
