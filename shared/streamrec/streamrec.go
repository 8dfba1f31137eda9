// Package streamrec reads DynamoDB stream records delivered to a Lambda: it turns aws-lambda-go's
// attribute values into the SDK's, so images unmarshal with the same `dynamodbav` tags as table items,
// and builds the partial-batch-failure response keyed by SequenceNumber.
package streamrec

import (
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Convert turns a stream image into SDK attribute values.
func Convert(image map[string]events.DynamoDBAttributeValue) (map[string]types.AttributeValue, error) {
	out := make(map[string]types.AttributeValue, len(image))
	for k, v := range image {
		av, err := convert(v)
		if err != nil {
			return nil, fmt.Errorf("attribute %s: %w", k, err)
		}
		out[k] = av
	}
	return out, nil
}

// Unmarshal decodes a stream image into out (a pointer to a struct with dynamodbav tags).
func Unmarshal(image map[string]events.DynamoDBAttributeValue, out any) error {
	m, err := Convert(image)
	if err != nil {
		return err
	}
	return attributevalue.UnmarshalMap(m, out)
}

func convert(v events.DynamoDBAttributeValue) (av types.AttributeValue, err error) {
	defer func() {
		// aws-lambda-go's accessors panic on a type mismatch; a malformed record must be an error.
		if p := recover(); p != nil {
			av, err = nil, fmt.Errorf("malformed attribute value: %v", p)
		}
	}()
	switch v.DataType() {
	case events.DataTypeString:
		return &types.AttributeValueMemberS{Value: v.String()}, nil
	case events.DataTypeNumber:
		return &types.AttributeValueMemberN{Value: v.Number()}, nil
	case events.DataTypeBinary:
		return &types.AttributeValueMemberB{Value: v.Binary()}, nil
	case events.DataTypeBoolean:
		return &types.AttributeValueMemberBOOL{Value: v.Boolean()}, nil
	case events.DataTypeNull:
		return &types.AttributeValueMemberNULL{Value: true}, nil
	case events.DataTypeStringSet:
		return &types.AttributeValueMemberSS{Value: v.StringSet()}, nil
	case events.DataTypeNumberSet:
		return &types.AttributeValueMemberNS{Value: v.NumberSet()}, nil
	case events.DataTypeBinarySet:
		return &types.AttributeValueMemberBS{Value: v.BinarySet()}, nil
	case events.DataTypeList:
		list := make([]types.AttributeValue, 0, len(v.List()))
		for _, item := range v.List() {
			c, err := convert(item)
			if err != nil {
				return nil, err
			}
			list = append(list, c)
		}
		return &types.AttributeValueMemberL{Value: list}, nil
	case events.DataTypeMap:
		m, err := Convert(v.Map())
		if err != nil {
			return nil, err
		}
		return &types.AttributeValueMemberM{Value: m}, nil
	default:
		return nil, fmt.Errorf("unknown attribute type %v", v.DataType())
	}
}

// Failures collects the records a batch could not process. AWS retries from the lowest failed
// SequenceNumber, so once one record of an item fails, later records must not be applied out of order:
// callers stop at the first failure (Fail reports it and everything after it).
type Failures struct {
	resp events.DynamoDBEventResponse
}

// Add marks one record as failed.
func (f *Failures) Add(rec events.DynamoDBEventRecord) {
	f.resp.BatchItemFailures = append(f.resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: rec.Change.SequenceNumber})
}

// Response is the handler's return value (an empty list means the whole batch succeeded).
func (f *Failures) Response() events.DynamoDBEventResponse {
	if f.resp.BatchItemFailures == nil {
		f.resp.BatchItemFailures = []events.DynamoDBBatchItemFailure{}
	}
	return f.resp
}
