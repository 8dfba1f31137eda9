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
	if _, exists := s.tables[spec.Name]; exists {
		return apiError(http.StatusBadRequest, "ResourceInUseException", "Table already exists: "+spec.Name)
	}
	t := s.registerTable(spec, body)
	if persist {
		s.appendLog("CreateTable", body)
		if err := s.attachStreamLog(t, true); err != nil {
			s.log.Error("persist stream; its records will not survive a restart", "table", spec.Name, "err", err)
		}
	}
	return jsonResult(map[string]any{"TableDescription": s.describe(t, "CREATING")})
}

func (s *Service) deleteTableLocked(body []byte, persist bool) engineResult {
	name := tableNameOf(body)
	t := s.tables[name]
	if t == nil {
		return notFound()
	}
	delete(s.tables, name)
	if err := s.closeStreamLog(t, persist); err != nil {
		s.log.Error("close stream log", "table", name, "err", err)
	}
	if persist {
		s.appendLog("DeleteTable", body)
	}
	return jsonResult(map[string]any{"TableDescription": s.describe(t, "DELETING")})
}

func (s *Service) describeTableLocked(body []byte) engineResult {
	t := s.tables[tableNameOf(body)]
	if t == nil {
		return notFound()
	}
	return jsonResult(map[string]any{"Table": s.describe(t, "ACTIVE")})
}

// updateTableLocked accepts the settings that mean nothing locally (billing, throughput, stream
// and deletion protection are fixed); index changes are refused.
func (s *Service) updateTableLocked(body []byte) engineResult {
	var req struct {
		TableName                   string
		GlobalSecondaryIndexUpdates []json.RawMessage
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return serializationError(err)
	}
	t := s.tables[req.TableName]
	if t == nil {
		return notFound()
	}
	if len(req.GlobalSecondaryIndexUpdates) > 0 {
		return validationError("GlobalSecondaryIndexUpdates are not supported by the local DynamoDB: change the index in template.yaml")
	}
	return jsonResult(map[string]any{"TableDescription": s.describe(t, "ACTIVE")})
}

// describe renders a TableDescription
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TableDescription.html).
func (s *Service) describe(t *tableState, status string) map[string]any {
	count := t.store.count()
	desc := map[string]any{
		"TableName":          t.spec.Name,
		"TableStatus":        status,
		"TableArn":           t.arn,
		"TableId":            t.arn,
		"CreationDateTime":   float64(t.createdAt.UnixMilli()) / 1000,
		"BillingModeSummary": map[string]any{"BillingMode": "PAY_PER_REQUEST"},
		"KeySchema":          t.spec.KeySchema,
		"ItemCount":          count,
		"TableSizeBytes":     0,
		"ProvisionedThroughput": map[string]any{
			"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0, "WriteCapacityUnits": 0,
		},
	}
	if len(t.spec.AttributeDefinitions) > 0 {
		desc["AttributeDefinitions"] = t.spec.AttributeDefinitions
	}
	var gsis []map[string]any
	for _, g := range t.spec.GlobalSecondaryIndexes {
		projection := map[string]any{"ProjectionType": cmpOr(g.ProjectionType, "ALL")}
		if len(g.NonKeyAttributes) > 0 {
			projection["NonKeyAttributes"] = g.NonKeyAttributes
		}
		items := 0
		if idx := t.store.index(g.IndexName); idx != nil {
			t.store.mu.RLock()
			items = idx.tree.Len()
			t.store.mu.RUnlock()
		}
		gsis = append(gsis, map[string]any{
			"IndexName": g.IndexName, "KeySchema": g.KeySchema, "Projection": projection,
			"IndexStatus": "ACTIVE", "IndexArn": t.arn + "/index/" + g.IndexName, "ItemCount": items,
		})
	}
	if len(gsis) > 0 {
		desc["GlobalSecondaryIndexes"] = gsis
	}
	if t.stream != nil {
		desc["StreamSpecification"] = map[string]any{"StreamEnabled": true, "StreamViewType": t.stream.viewType}
		desc["LatestStreamArn"] = t.stream.arn
		desc["LatestStreamLabel"] = t.stream.arn[len(t.arn)+len("/stream/"):]
	}
	return desc
}

func cmpOr(v, fallback string) string {
	if v == "" {
		return fallback
	}
	return v
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
	t.store.setTTL(t.ttlAttr)
	if persist {
		s.appendLog("UpdateTimeToLive", body)
	}
	return jsonResult(map[string]any{"TimeToLiveSpecification": spec})
}
