package ddbemu

import (
	"encoding/json"
	"errors"
	"hash/crc32"
	"io"
	"net/http"
	"sort"
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
		return s.read(op, body)
	case "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems":
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
		res := s.callEngine(op, body)
		if res.ok() {
			s.appendLog(op, body)
		}
		return res
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

// read runs a read-only operation; reads share the lock, so they only wait for writes.
func (s *Service) read(op string, body []byte) engineResult {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return shutDown()
	}
	if bad := s.checkRead(op, body); bad != nil {
		return validationError(bad.msg)
	}
	return s.callEngine(op, body)
}

// checkRead validates the keys of a read request (see validate.go); malformed requests and
// unknown tables are left to the engine.
func (s *Service) checkRead(op string, body []byte) *invalid {
	type get struct {
		TableName string
		Key       rawItem
	}
	switch op {
	case "GetItem":
		var req get
		if json.Unmarshal(body, &req) == nil {
			if t := s.tables[req.TableName]; t != nil {
				return t.checkKey(req.Key)
			}
		}
	case "Query":
		if t := s.tables[tableNameOf(body)]; t != nil {
			return t.checkQuery(body)
		}
	case "BatchGetItem":
		var req struct {
			RequestItems map[string]struct{ Keys []rawItem }
		}
		if json.Unmarshal(body, &req) != nil {
			return nil
		}
		names := make([]string, 0, len(req.RequestItems))
		for name := range req.RequestItems {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			t := s.tables[name]
			if t == nil {
				continue
			}
			for _, key := range req.RequestItems[name].Keys {
				if bad := t.checkKey(key); bad != nil {
					return bad
				}
			}
		}
	case "TransactGetItems":
		var req struct{ TransactItems []struct{ Get *get } }
		if json.Unmarshal(body, &req) != nil {
			return nil
		}
		for _, it := range req.TransactItems {
			if it.Get == nil {
				continue
			}
			if t := s.tables[it.Get.TableName]; t != nil {
				if bad := t.checkKey(it.Get.Key); bad != nil {
					return bad
				}
			}
		}
	}
	return nil
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

// replayEntry re-applies one logged write at start; no stream records, no logging.
func (s *Service) replayEntry(op string, body []byte) {
	var res engineResult
	switch op {
	case "CreateTable":
		res = s.createTableLocked(body, false)
	case "DeleteTable":
		res = s.deleteTableLocked(body, false)
	case "UpdateTimeToLive":
		res = s.updateTTLLocked(body, false)
	default:
		res = s.callEngine(op, body)
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
