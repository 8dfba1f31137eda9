package ddbemu

import (
	"encoding/json"
	"errors"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"strings"
)

const maxRequestBytes = 32 << 20

// ServeHTTP implements the DynamoDB JSON 1.0 API (X-Amz-Target DynamoDB_20120810.<Op>) and the
// DynamoDB Streams API (DynamoDBStreams_20120810.<Op>, see streamsapi.go).
// Every response carries X-Amz-Crc32, which the AWS SDKs verify.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	writeResult(w, s.handle(w, r))
}

func (s *Service) handle(w http.ResponseWriter, r *http.Request) engineResult {
	if r.Method != http.MethodPost {
		return apiError(http.StatusMethodNotAllowed, "UnknownOperationException", "only POST is supported")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	if err != nil {
		if _, tooBig := errors.AsType[*http.MaxBytesError](err); tooBig {
			return apiError(http.StatusRequestEntityTooLarge, "ValidationException", "request too large")
		}
		return apiError(http.StatusBadRequest, "SerializationException", "read request: "+err.Error())
	}
	target := r.Header.Get("X-Amz-Target")
	streamsOp, streams := strings.CutPrefix(target, streamsTargetPrefix)
	op, ok := strings.CutPrefix(target, targetPrefix)
	if !ok && !streams {
		return apiError(http.StatusBadRequest, "UnknownOperationException", "unknown target "+strconv.Quote(target))
	}
	if !json.Valid(body) {
		return apiError(http.StatusBadRequest, "SerializationException", "request body is not valid JSON")
	}
	if streams {
		return s.dispatchStreams(streamsOp, body)
	}
	return s.dispatch(op, body)
}

func (s *Service) dispatch(op string, body []byte) engineResult {
	switch op {
	case "GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems":
		if msg := checkSets(body); msg != "" {
			return apiError(http.StatusBadRequest, "ValidationException", msg)
		}
		return s.read(op, body)
	case "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems":
		if msg := checkSets(body); msg != "" {
			return apiError(http.StatusBadRequest, "ValidationException", msg)
		}
		return s.writeItems(op, body)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return shutDown()
	}
	switch op {
	case "CreateTable":
		return s.createTableLocked(body, true)
	case "DeleteTable":
		return s.deleteTableLocked(body, true)
	case "UpdateTable":
		return s.updateTableLocked(body)
	case "DescribeTable":
		return s.describeTableLocked(body)
	case "ListTables":
		return s.listTablesLocked(body)
	case "DescribeTimeToLive":
		return s.describeTTLLocked(body)
	case "UpdateTimeToLive":
		return s.updateTTLLocked(body, true)
	default:
		return apiError(http.StatusBadRequest, "UnknownOperationException", "operation "+op+" is not supported by the local DynamoDB")
	}
}

// writeItems runs an item write. It shares s.mu with reads and other item writes; the tables it
// touches are locked by writeLocked, and table operations (create, delete, TTL) exclude it.
func (s *Service) writeItems(op string, body []byte) engineResult {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return shutDown()
	}
	return s.writeLocked(op, body, nil)
}

func shutDown() engineResult {
	return apiError(http.StatusInternalServerError, "InternalServerError", "service is shut down")
}

// appendLog persists a successful write. Callers hold s.mu.
func (s *Service) appendLog(op string, body []byte) {
	if s.wal == nil {
		return
	}
	if err := s.wal.append(op, body); err != nil {
		s.log.Error("persist dynamodb write", "op", op, "err", err)
	}
}

// replayEntry re-applies one logged write at start; no stream records, no logging. Callers hold
// s.mu with s.replaying set.
func (s *Service) replayEntry(op string, body []byte) {
	var res engineResult
	switch op {
	case walOpItems:
		if err := s.replayItems(body); err != nil {
			s.log.Warn("replayed dynamodb write failed", "op", op, "err", err)
		}
		return
	case "CreateTable":
		res = s.createTableLocked(body, false)
	case "DeleteTable":
		res = s.deleteTableLocked(body, false)
	case "UpdateTimeToLive":
		res = s.updateTTLLocked(body, false)
	case "UpdateTable":
		return
	default: // the request-per-line log of earlier versions
		res = s.writeLocked(op, body, nil)
	}
	if !res.ok() && op != "CreateTable" {
		s.log.Warn("replayed dynamodb write failed", "op", op, "status", res.status, "body", string(res.body))
	}
}

func apiError(status int, typ, msg string) engineResult {
	body, _ := json.Marshal(map[string]string{
		"__type":  "com.amazonaws.dynamodb.v20120810#" + typ,
		"message": msg,
	})
	return engineResult{status: status, body: body}
}

func jsonResult(v any) engineResult {
	body, err := json.Marshal(v)
	if err != nil {
		return apiError(http.StatusInternalServerError, "InternalServerError", "encode response: "+err.Error())
	}
	return engineResult{status: http.StatusOK, body: body}
}

func writeResult(w http.ResponseWriter, res engineResult) {
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-1.0")
	h.Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(res.body)), 10))
	h.Set("X-Amzn-Requestid", newEventID())
	h.Set("Content-Length", strconv.Itoa(len(res.body)))
	w.WriteHeader(res.status)
	_, _ = w.Write(res.body)
}
