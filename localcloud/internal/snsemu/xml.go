package snsemu

import (
	"encoding/xml"
	"net/http"
)

const xmlns = "http://sns.amazonaws.com/doc/2010-03-31/"

type responseMetadata struct {
	RequestID string `xml:"RequestId"`
}

func newMetadata() responseMetadata { return responseMetadata{RequestID: newMessageID()} }

type publishResponse struct {
	XMLName  xml.Name         `xml:"PublishResponse"`
	Xmlns    string           `xml:"xmlns,attr"`
	Result   publishResult    `xml:"PublishResult"`
	Metadata responseMetadata `xml:"ResponseMetadata"`
}

type publishResult struct {
	MessageID string `xml:"MessageId"`
}

type checkOptedOutResponse struct {
	XMLName  xml.Name            `xml:"CheckIfPhoneNumberIsOptedOutResponse"`
	Xmlns    string              `xml:"xmlns,attr"`
	Result   checkOptedOutResult `xml:"CheckIfPhoneNumberIsOptedOutResult"`
	Metadata responseMetadata    `xml:"ResponseMetadata"`
}

type checkOptedOutResult struct {
	IsOptedOut bool `xml:"isOptedOut"`
}

type createTopicResponse struct {
	XMLName  xml.Name          `xml:"CreateTopicResponse"`
	Xmlns    string            `xml:"xmlns,attr"`
	Result   createTopicResult `xml:"CreateTopicResult"`
	Metadata responseMetadata  `xml:"ResponseMetadata"`
}

type createTopicResult struct {
	TopicArn string `xml:"TopicArn"`
}

type listTopicsResponse struct {
	XMLName  xml.Name         `xml:"ListTopicsResponse"`
	Xmlns    string           `xml:"xmlns,attr"`
	Result   listTopicsResult `xml:"ListTopicsResult"`
	Metadata responseMetadata `xml:"ResponseMetadata"`
}

type listTopicsResult struct {
	Topics []topicMember `xml:"Topics>member"`
}

type topicMember struct {
	TopicArn string `xml:"TopicArn"`
}

type errorResponse struct {
	XMLName   xml.Name  `xml:"ErrorResponse"`
	Xmlns     string    `xml:"xmlns,attr"`
	Error     errorBody `xml:"Error"`
	RequestID string    `xml:"RequestId"`
}

type errorBody struct {
	Type    string `xml:"Type"`
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

func writeXML(w http.ResponseWriter, v any) { writeXMLStatus(w, http.StatusOK, v) }

func writeXMLStatus(w http.ResponseWriter, status int, v any) {
	body, err := xml.Marshal(v)
	if err != nil {
		http.Error(w, "encode response", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(body)
}

func writeError(w http.ResponseWriter, status int, faultType, code, message string) {
	writeXMLStatus(w, status, errorResponse{
		Xmlns:     xmlns,
		Error:     errorBody{Type: faultType, Code: code, Message: message},
		RequestID: newMessageID(),
	})
}

func writeAPIError(w http.ResponseWriter, e *apiError) {
	fault := "Sender"
	if e.status >= 500 {
		fault = "Receiver"
	}
	writeError(w, e.status, fault, e.code, e.msg)
}
