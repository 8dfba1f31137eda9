package lambdaemu

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
)

// Every function runs a custom-runtime bootstrap built from Go.
const (
	functionRuntime = "provided.al2023"
	functionHandler = "bootstrap"
	// ListFunctions returns at most 50 functions per page.
	defaultListPage = 50
	maxListPage     = 10000
)

// functionConfiguration is the FunctionConfiguration of the Lambda API (the fields tools read).
type functionConfiguration struct {
	FunctionName     string   `json:"FunctionName"`
	FunctionArn      string   `json:"FunctionArn"`
	Runtime          string   `json:"Runtime"`
	Handler          string   `json:"Handler"`
	Architectures    []string `json:"Architectures"`
	Timeout          int      `json:"Timeout"`
	MemorySize       int      `json:"MemorySize"`
	LastModified     string   `json:"LastModified"`
	Version          string   `json:"Version"`
	State            string   `json:"State"`
	LastUpdateStatus string   `json:"LastUpdateStatus"`
	PackageType      string   `json:"PackageType"`
}

type listFunctionsOutput struct {
	Functions  []functionConfiguration `json:"Functions"`
	NextMarker *string                 `json:"NextMarker"`
}

type getFunctionOutput struct {
	Configuration functionConfiguration `json:"Configuration"`
	Code          struct {
		RepositoryType string `json:"RepositoryType"`
	} `json:"Code"`
	Concurrency *struct {
		ReservedConcurrentExecutions int `json:"ReservedConcurrentExecutions"`
	} `json:"Concurrency,omitempty"`
}

// serveListFunctions is ListFunctions: every function's $LATEST configuration, sorted by name, in
// pages of MaxItems (default 50) with Marker/NextMarker.
func (s *Service) serveListFunctions(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Amzn-RequestId", newRequestID())
	q := r.URL.Query()
	pageSize := defaultListPage
	if v := q.Get("MaxItems"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxListPage {
			writeAPIError(w, http.StatusBadRequest, "InvalidParameterValueException", "message",
				"MaxItems must be between 1 and "+strconv.Itoa(maxListPage))
			return
		}
		pageSize = n
	}

	s.mu.Lock()
	names := make([]string, 0, len(s.functions))
	for name := range s.functions {
		names = append(names, name)
	}
	slices.Sort(names)
	start := 0
	if marker := q.Get("Marker"); marker != "" {
		// The marker is the name of the next function to list.
		start, _ = slices.BinarySearch(names, marker)
	}
	end := min(start+pageSize, len(names))
	out := listFunctionsOutput{Functions: make([]functionConfiguration, 0, end-start)}
	for _, name := range names[start:end] {
		out.Functions = append(out.Functions, s.configuration(s.functions[name], ""))
	}
	if end < len(names) {
		next := names[end]
		out.NextMarker = &next
	}
	s.mu.Unlock()
	writeBody(w, out)
}

// serveGetFunction is GetFunction: the configuration, and the reserved concurrency when set.
func (s *Service) serveGetFunction(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Amzn-RequestId", newRequestID())
	name, qualifier := parseFunctionName(r.PathValue("name"))
	if q := r.URL.Query().Get("Qualifier"); q != "" {
		qualifier = q
	}
	s.mu.Lock()
	fn, ok := s.functions[name]
	if !ok {
		s.mu.Unlock()
		writeAPIError(w, http.StatusNotFound, "ResourceNotFoundException", "Message", "Function not found: "+s.functionARN(name))
		return
	}
	var out getFunctionOutput
	out.Configuration = s.configuration(fn, qualifier)
	out.Code.RepositoryType = "S3"
	if reserved := fn.cfg.ReservedConcurrency; reserved != nil {
		out.Concurrency = &struct {
			ReservedConcurrentExecutions int `json:"ReservedConcurrentExecutions"`
		}{*reserved}
	}
	s.mu.Unlock()
	writeBody(w, out)
}

// configuration describes fn as the version qualifier resolves to; the caller holds s.mu.
func (s *Service) configuration(fn *function, qualifier string) functionConfiguration {
	version := executedVersion(qualifier)
	arn := fn.arn
	if qualifier != "" {
		arn += ":" + version
	}
	return functionConfiguration{
		FunctionName:     fn.cfg.Name,
		FunctionArn:      arn,
		Runtime:          functionRuntime,
		Handler:          functionHandler,
		Architectures:    fn.cfg.Architectures,
		Timeout:          int(fn.cfg.Timeout.Seconds()),
		MemorySize:       fn.cfg.MemoryMB,
		LastModified:     fn.modified.UTC().Format("2006-01-02T15:04:05.000-0700"),
		Version:          version,
		State:            "Active",
		LastUpdateStatus: "Successful",
		PackageType:      "Zip",
	}
}

// writeBody writes a successful JSON response.
func writeBody(w http.ResponseWriter, body any) {
	data, err := json.Marshal(body)
	if err != nil {
		writeAPIError(w, http.StatusInternalServerError, "ServiceException", "Message", "encode response: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
}
