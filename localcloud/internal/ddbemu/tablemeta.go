package ddbemu

import (
	"encoding/json"
	"net/http"
	"sort"
)

func (s *Service) createTableLocked(body []byte, persist bool) engineResult {
	spec, err := specFromCreateTableRequest(body)
	if err != nil {
		return apiError(http.StatusBadRequest, "ValidationException", err.Error())
	}
	if err := spec.validate(); err != nil {
		return apiError(http.StatusBadRequest, "ValidationException", err.Error())
	}
	res := s.callEngine("CreateTable", body)
	if !res.ok() {
		return res
	}
	t := s.registerTable(spec, body)
	if persist {
		s.appendLog("CreateTable", body)
		if err := s.attachStreamLog(t, true); err != nil {
			s.log.Error("persist stream; its records will not survive a restart", "table", spec.Name, "err", err)
		}
	}
	return s.describeResult(res, "TableDescription", t)
}

func (s *Service) deleteTableLocked(body []byte, persist bool) engineResult {
	res := s.callEngine("DeleteTable", body)
	if !res.ok() {
		return res
	}
	name := tableNameOf(body)
	t := s.tables[name]
	delete(s.tables, name)
	if t != nil {
		if err := s.closeStreamLog(t, persist); err != nil {
			s.log.Error("close stream log", "table", name, "err", err)
		}
	}
	if err := s.callScratchJSON("DeleteTable", map[string]any{"TableName": name}, nil); err != nil {
		s.log.Warn("delete scratch table", "table", name, "err", err)
	}
	if persist {
		s.appendLog("DeleteTable", body)
	}
	return s.describeResult(res, "TableDescription", t)
}

func (s *Service) describeTableLocked(body []byte) engineResult {
	res := s.callEngine("DescribeTable", body)
	if !res.ok() {
		return res
	}
	return s.describeResult(res, "Table", s.tables[tableNameOf(body)])
}

// describeResult completes minidyn's table description with what it lacks
// (status, ARN, billing mode, attribute definitions, stream settings).
func (s *Service) describeResult(res engineResult, field string, t *tableState) engineResult {
	var out map[string]any
	if err := json.Unmarshal(res.body, &out); err != nil {
		return apiError(http.StatusInternalServerError, "InternalServerError", "decode table description: "+err.Error())
	}
	desc, _ := stripNulls(out[field]).(map[string]any)
	if desc == nil || t == nil {
		return res
	}
	desc["TableStatus"] = "ACTIVE"
	desc["TableArn"] = t.arn
	desc["CreationDateTime"] = float64(t.createdAt.UnixMilli()) / 1000
	desc["BillingModeSummary"] = map[string]any{"BillingMode": "PAY_PER_REQUEST"}
	if len(t.spec.AttributeDefinitions) > 0 {
		desc["AttributeDefinitions"] = t.spec.AttributeDefinitions
	}
	if gsis, ok := desc["GlobalSecondaryIndexes"].([]any); ok {
		for _, g := range gsis {
			if gm, ok := g.(map[string]any); ok {
				if status, _ := gm["IndexStatus"].(string); status == "" {
					gm["IndexStatus"] = "ACTIVE"
				}
				if name, _ := gm["IndexName"].(string); name != "" {
					gm["IndexArn"] = t.arn + "/index/" + name
				}
			}
		}
	}
	if t.stream != nil {
		desc["StreamSpecification"] = map[string]any{"StreamEnabled": true, "StreamViewType": t.stream.viewType}
		desc["LatestStreamArn"] = t.stream.arn
		desc["LatestStreamLabel"] = t.stream.arn[len(t.arn)+len("/stream/"):]
	}
	out[field] = desc
	return jsonResult(out)
}

// stripNulls drops null members: minidyn encodes unset SDK pointers as null.
func stripNulls(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if val == nil {
				delete(x, k)
				continue
			}
			x[k] = stripNulls(val)
		}
		return x
	case []any:
		for i := range x {
			x[i] = stripNulls(x[i])
		}
		return x
	default:
		return v
	}
}

func tableNameOf(body []byte) string {
	var req struct{ TableName string }
	_ = json.Unmarshal(body, &req)
	return req.TableName
}

func (s *Service) listTablesLocked(body []byte) engineResult {
	var req struct {
		ExclusiveStartTableName string
		Limit                   int
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return apiError(http.StatusBadRequest, "SerializationException", err.Error())
	}
	if req.Limit <= 0 || req.Limit > 100 {
		req.Limit = 100
	}
	names := s.tableNamesLocked()
	start := sort.SearchStrings(names, req.ExclusiveStartTableName)
	if start < len(names) && names[start] == req.ExclusiveStartTableName {
		start++
	}
	names = names[start:]
	out := map[string]any{}
	if len(names) > req.Limit {
		names = names[:req.Limit]
		out["LastEvaluatedTableName"] = names[len(names)-1]
	}
	out["TableNames"] = names
	return jsonResult(out)
}

func (s *Service) describeTTLLocked(body []byte) engineResult {
	t := s.tables[tableNameOf(body)]
	if t == nil {
		return apiError(http.StatusBadRequest, "ResourceNotFoundException", "Requested resource not found")
	}
	desc := map[string]any{"TimeToLiveStatus": "DISABLED"}
	if t.ttlAttr != "" {
		desc = map[string]any{"TimeToLiveStatus": "ENABLED", "AttributeName": t.ttlAttr}
	}
	return jsonResult(map[string]any{"TimeToLiveDescription": desc})
}

func (s *Service) updateTTLLocked(body []byte, persist bool) engineResult {
	var req struct {
		TableName               string
		TimeToLiveSpecification struct {
			AttributeName string
			Enabled       bool
		}
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return apiError(http.StatusBadRequest, "SerializationException", err.Error())
	}
	t := s.tables[req.TableName]
	if t == nil {
		return apiError(http.StatusBadRequest, "ResourceNotFoundException", "Requested resource not found")
	}
	spec := req.TimeToLiveSpecification
	if spec.AttributeName == "" {
		return apiError(http.StatusBadRequest, "ValidationException", "TimeToLiveSpecification.AttributeName is required")
	}
	if spec.Enabled && t.ttlAttr != "" && t.ttlAttr != spec.AttributeName {
		return apiError(http.StatusBadRequest, "ValidationException", "TimeToLive is already enabled on attribute "+t.ttlAttr)
	}
	if spec.Enabled {
		t.ttlAttr = spec.AttributeName
	} else if t.ttlAttr == spec.AttributeName {
		t.ttlAttr = ""
	}
	if persist {
		s.appendLog("UpdateTimeToLive", body)
	}
	return jsonResult(map[string]any{"TimeToLiveSpecification": spec})
}
