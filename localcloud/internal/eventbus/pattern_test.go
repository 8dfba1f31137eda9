package eventbus

import (
	"strings"
	"testing"
)

// ec2Event is the sample event of the EventBridge event-pattern documentation.
const ec2Event = `{
  "version": "0",
  "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification",
  "source": "aws.ec2",
  "account": "111122223333",
  "time": "2017-12-22T18:43:48Z",
  "region": "us-west-1",
  "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  "detail": {"instance-id": "i-1234567890abcdef0", "state": "terminated"}
}`

// rulerEvent is the sample event used by the content-filtering examples (numeric, cidr, complex).
const rulerEvent = `{
  "version": "0", "id": "ddddd4-aaaa-7777-4444-345dd43cc333",
  "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
  "account": "012345679012", "time": "2017-10-02T16:24:49Z", "region": "us-east-1",
  "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
  "detail": {"c-count": 5, "d-count": 3, "x-limit": 301.8, "source-ip": "10.0.0.33",
             "instance-id": "i-000000aaaaaa00000", "state": "running"}
}`

func TestPatternMatch(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		event   string
		want    bool
	}{
		// Exact values, arrays, nested objects.
		{"source exact", `{"source":["aws.ec2"]}`, ec2Event, true},
		{"source one of several", `{"source":["aws.s3","aws.ec2"]}`, ec2Event, true},
		{"source mismatch", `{"source":["aws.s3"]}`, ec2Event, false},
		{"exact is case sensitive", `{"source":["AWS.EC2"]}`, ec2Event, false},
		{"nested detail state", `{"source":["aws.ec2"],"detail-type":["EC2 Instance State-change Notification"],"detail":{"state":["terminated","stopped"]}}`, ec2Event, true},
		{"nested detail state mismatch", `{"detail":{"state":["running"]}}`, ec2Event, false},
		{"missing field", `{"detail":{"missing":["x"]}}`, ec2Event, false},
		{"event array intersects", `{"resources":["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0","other"]}`, ec2Event, true},
		{"event array no intersection", `{"resources":["other"]}`, ec2Event, false},
		{"number exact", `{"detail":{"c-count":[5]}}`, rulerEvent, true},
		{"number exact in another notation", `{"detail":{"x-limit":[3.018e2]}}`, rulerEvent, true},
		{"number does not match string", `{"detail":{"c-count":["5"]}}`, rulerEvent, false},
		{"string does not match number", `{"detail":{"state":[5]}}`, rulerEvent, false},
		{"null value", `{"detail":{"responseElements":[null]}}`, `{"detail":{"responseElements":null}}`, true},
		{"null does not match missing", `{"detail":{"responseElements":[null]}}`, `{"detail":{}}`, false},
		{"empty string", `{"detail":{"eventVersion":[""]}}`, `{"detail":{"eventVersion":""}}`, true},
		{"empty string vs null", `{"detail":{"eventVersion":[""]}}`, `{"detail":{"eventVersion":null}}`, false},
		{"boolean", `{"detail":{"ok":[true]}}`, `{"detail":{"ok":true}}`, true},
		{"boolean mismatch", `{"detail":{"ok":[true]}}`, `{"detail":{"ok":false}}`, false},
		{"nested pattern over array of objects", `{"detail":{"items":{"sku":["b"]}}}`, `{"detail":{"items":[{"sku":"a"},{"sku":"b"}]}}`, true},
		{"array elements are consistent", `{"detail":{"items":{"sku":["a"],"qty":[2]}}}`, `{"detail":{"items":[{"sku":"a","qty":1},{"sku":"b","qty":2}]}}`, false},
		{"nested array of scalars flattened", `{"detail":{"tags":["x"]}}`, `{"detail":{"tags":[["y"],["x"]]}}`, true},
		{"nested pattern vs scalar", `{"detail":{"state":{"code":[1]}}}`, ec2Event, false},
		{"non-object event", `{"source":["a"]}`, `["a"]`, false},
		{"invalid event json", `{"source":["a"]}`, `{"source":`, false},

		// Prefix and suffix.
		{"prefix", `{"time":[{"prefix":"2017-12-22"}]}`, ec2Event, true},
		{"prefix mismatch", `{"time":[{"prefix":"2017-10-02"}]}`, ec2Event, false},
		{"prefix needs string", `{"detail":{"c-count":[{"prefix":"5"}]}}`, rulerEvent, false},
		{"prefix ignore case", `{"detail":{"service":[{"prefix":{"equals-ignore-case":"EventB"}}]}}`, `{"detail":{"service":"eventbridge"}}`, true},
		{"prefix ignore case upper", `{"detail":{"service":[{"prefix":{"equals-ignore-case":"EventB"}}]}}`, `{"detail":{"service":"EVENTBRIDGE"}}`, true},
		{"prefix ignore case mismatch", `{"detail":{"service":[{"prefix":{"equals-ignore-case":"EventB"}}]}}`, `{"detail":{"service":"lambda"}}`, false},
		{"suffix", `{"FileName":[{"suffix":".png"}]}`, `{"FileName":"cat.png"}`, true},
		{"suffix is case sensitive", `{"FileName":[{"suffix":".png"}]}`, `{"FileName":"cat.PNG"}`, false},
		{"suffix ignore case", `{"detail":{"FileName":[{"suffix":{"equals-ignore-case":".png"}}]}}`, `{"detail":{"FileName":"cat.PNG"}}`, true},
		{"suffix ignore case mismatch", `{"detail":{"FileName":[{"suffix":{"equals-ignore-case":".png"}}]}}`, `{"detail":{"FileName":"cat.gif"}}`, false},

		// Anything-but.
		{"anything-but string", `{"detail":{"state":[{"anything-but":"initializing"}]}}`, rulerEvent, true},
		{"anything-but string excluded", `{"detail":{"state":[{"anything-but":"running"}]}}`, rulerEvent, false},
		{"anything-but number", `{"detail":{"x-limit":[{"anything-but":123}]}}`, rulerEvent, true},
		{"anything-but number excluded", `{"detail":{"x-limit":[{"anything-but":301.8}]}}`, rulerEvent, false},
		{"anything-but string list", `{"detail":{"state":[{"anything-but":["stopped","overloaded"]}]}}`, `{"detail":{"state":"pending"}}`, true},
		{"anything-but string list excluded", `{"detail":{"state":[{"anything-but":["stopped","overloaded"]}]}}`, `{"detail":{"state":"stopped"}}`, false},
		{"anything-but number list", `{"detail":{"x-limit":[{"anything-but":[100,200,300]}]}}`, `{"detail":{"x-limit":456}}`, true},
		{"anything-but number list excluded", `{"detail":{"x-limit":[{"anything-but":[100,200,300]}]}}`, `{"detail":{"x-limit":200}}`, false},
		{"anything-but missing field", `{"detail":{"state":[{"anything-but":"x"}]}}`, `{"detail":{}}`, false},
		{"anything-but prefix", `{"detail":{"state":[{"anything-but":{"prefix":"init"}}]}}`, `{"detail":{"state":"running"}}`, true},
		{"anything-but prefix excluded", `{"detail":{"state":[{"anything-but":{"prefix":"init"}}]}}`, `{"detail":{"state":"initializing"}}`, false},
		{"anything-but suffix", `{"detail":{"FileName":[{"anything-but":{"suffix":".txt"}}]}}`, `{"detail":{"FileName":"a.png"}}`, true},
		{"anything-but suffix excluded", `{"detail":{"FileName":[{"anything-but":{"suffix":".txt"}}]}}`, `{"detail":{"FileName":"a.txt"}}`, false},
		{"anything-but ignore case", `{"detail":{"state":[{"anything-but":{"equals-ignore-case":["Stopped","OverLoaded"]}}]}}`, `{"detail":{"state":"pending"}}`, true},
		{"anything-but ignore case excluded", `{"detail":{"state":[{"anything-but":{"equals-ignore-case":["Stopped","OverLoaded"]}}]}}`, `{"detail":{"state":"STOPPED"}}`, false},
		{"anything-but wildcard", `{"detail":{"FilePath":[{"anything-but":{"wildcard":"*/lib/*"}}]}}`, `{"detail":{"FilePath":"/usr/bin/go"}}`, true},
		{"anything-but wildcard excluded", `{"detail":{"FilePath":[{"anything-but":{"wildcard":"*/lib/*"}}]}}`, `{"detail":{"FilePath":"/usr/lib/go"}}`, false},
		{"anything-but wildcard list", `{"detail":{"FilePath":[{"anything-but":{"wildcard":["*/lib/*","*/bin/*"]}}]}}`, `{"detail":{"FilePath":"/usr/bin/go"}}`, false},
		{"anything-but over event array", `{"detail":{"state":[{"anything-but":"a"}]}}`, `{"detail":{"state":["a","b"]}}`, true},

		// Numeric.
		{"numeric docs example", `{"detail":{"c-count":[{"numeric":[">",0,"<=",5]}],"d-count":[{"numeric":["<",10]}],"x-limit":[{"numeric":["=",3.018e2]}]}}`, rulerEvent, true},
		{"numeric upper bound inclusive", `{"detail":{"c-count":[{"numeric":[">",0,"<=",5]}]}}`, `{"detail":{"c-count":5}}`, true},
		{"numeric upper bound exclusive", `{"detail":{"c-count":[{"numeric":[">",0,"<",5]}]}}`, `{"detail":{"c-count":5}}`, false},
		{"numeric lower bound exclusive", `{"detail":{"c-count":[{"numeric":[">",0,"<=",5]}]}}`, `{"detail":{"c-count":0}}`, false},
		{"numeric lower bound inclusive", `{"detail":{"c-count":[{"numeric":[">=",0]}]}}`, `{"detail":{"c-count":0}}`, true},
		{"numeric out of range", `{"detail":{"d-count":[{"numeric":["<",10]}]}}`, `{"detail":{"d-count":10}}`, false},
		{"numeric on string never matches", `{"detail":{"d-count":[{"numeric":["<",10]}]}}`, `{"detail":{"d-count":"3"}}`, false},
		{"numeric equal mismatch", `{"detail":{"x-limit":[{"numeric":["=",300]}]}}`, rulerEvent, false},

		// IP address.
		{"cidr", `{"detail":{"source-ip":[{"cidr":"10.0.0.0/24"}]}}`, rulerEvent, true},
		{"cidr outside", `{"detail":{"source-ip":[{"cidr":"10.0.1.0/24"}]}}`, rulerEvent, false},
		{"cidr ipv6", `{"detail":{"sourceIPAddress":[{"cidr":"2001:db8::/32"}]}}`, `{"detail":{"sourceIPAddress":"2001:db8::1"}}`, true},
		{"cidr ipv6 outside", `{"detail":{"sourceIPAddress":[{"cidr":"2001:db8::/32"}]}}`, `{"detail":{"sourceIPAddress":"2001:db9::1"}}`, false},
		{"cidr not an ip", `{"detail":{"source-ip":[{"cidr":"10.0.0.0/8"}]}}`, `{"detail":{"source-ip":"localhost"}}`, false},

		// Exists.
		{"exists true", `{"detail":{"state":[{"exists":true}]}}`, ec2Event, true},
		{"exists true missing", `{"detail":{"c-count":[{"exists":true}]}}`, ec2Event, false},
		{"exists false", `{"detail":{"c-count":[{"exists":false}]}}`, ec2Event, true},
		{"exists false present", `{"detail":{"state":[{"exists":false}]}}`, ec2Event, false},
		{"exists false on intermediate node", `{"detail":{"c-count":[{"exists":false}]}}`, `{"detail":{"c-count":{"c1":100}}}`, true},
		{"exists true on intermediate node", `{"detail":{"c-count":[{"exists":true}]}}`, `{"detail":{"c-count":{"c1":100}}}`, false},
		{"exists false parent missing", `{"detail":{"c-count":[{"exists":false}]}}`, `{"source":"x"}`, true},
		{"exists true on null", `{"detail":{"state":[{"exists":true}]}}`, `{"detail":{"state":null}}`, true},

		// Equals-ignore-case.
		{"equals-ignore-case", `{"detail-type":[{"equals-ignore-case":"ec2 instance state-change notification"}]}`, ec2Event, true},
		{"equals-ignore-case mismatch", `{"detail-type":[{"equals-ignore-case":"ec2 instance state change"}]}`, ec2Event, false},

		// Wildcard.
		{"wildcard arn", `{"EventBusArn":[{"wildcard":"arn:aws:events:us-east-1:*:event-bus/*"}]}`, `{"EventBusArn":"arn:aws:events:us-east-1:123456789012:event-bus/default"}`, true},
		{"wildcard arn other region", `{"EventBusArn":[{"wildcard":"arn:aws:events:us-east-1:*:event-bus/*"}]}`, `{"EventBusArn":"arn:aws:events:us-west-2:123456789012:event-bus/default"}`, false},
		{"wildcard middle", `{"source":[{"wildcard":"Simple*Service"}]}`, `{"source":"SimpleQueueService"}`, true},
		{"wildcard matches empty run", `{"source":[{"wildcard":"Simple*Service"}]}`, `{"source":"SimpleService"}`, true},
		{"wildcard anchored", `{"source":[{"wildcard":"Simple*Service"}]}`, `{"source":"SimpleQueueServices"}`, false},
		{"wildcard escaped star", `{"f":[{"wildcard":"a\\*b"}]}`, `{"f":"a*b"}`, true},
		{"wildcard escaped star literal only", `{"f":[{"wildcard":"a\\*b"}]}`, `{"f":"axb"}`, false},
		{"wildcard escaped backslash", `{"f":[{"wildcard":"a\\\\*"}]}`, `{"f":"a\\tail"}`, true},
		{"wildcard star only", `{"f":[{"wildcard":"*"}]}`, `{"f":""}`, true},
		{"wildcard several stars", `{"f":[{"wildcard":"*a*b*"}]}`, `{"f":"xxbxaxxb"}`, true},
		{"wildcard several stars mismatch", `{"f":[{"wildcard":"*a*b*"}]}`, `{"f":"xxbxxx"}`, false},
		{"wildcard overlapping prefix suffix", `{"f":[{"wildcard":"ab*ba"}]}`, `{"f":"aba"}`, false},

		// $or.
		{"or second branch", `{"detail":{"$or":[{"c-count":[{"numeric":[">",0,"<=",5]}]},{"d-count":[{"numeric":["<",10]}]},{"x-limit":[{"numeric":[">",0,"<",100]}]}]}}`, `{"detail":{"c-count":50,"d-count":3}}`, true},
		{"or no branch", `{"detail":{"$or":[{"c-count":[{"numeric":[">",0,"<=",5]}]},{"d-count":[{"numeric":["<",10]}]}]}}`, `{"detail":{"c-count":50,"d-count":30}}`, false},
		{"or with and", `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"namespace":["AWS/EC2","AWS/ES"]}]}`, `{"source":"aws.cloudwatch","namespace":"AWS/ES"}`, true},
		{"or with and fails and", `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"namespace":["AWS/EC2","AWS/ES"]}]}`, `{"source":"aws.ec2","namespace":"AWS/ES"}`, false},
		{"nested or", `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization"]},{"metricType":["MetricType"],"$or":[{"metricId":[1234]},{"spaceId":[1000]}]}]}`, `{"source":"aws.cloudwatch","metricType":"MetricType","spaceId":1000}`, true},
		{"nested or inner fails", `{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization"]},{"metricType":["MetricType"],"$or":[{"metricId":[1234]},{"spaceId":[1000]}]}]}`, `{"source":"aws.cloudwatch","metricType":"MetricType","spaceId":1}`, false},

		// Complex docs example.
		{"complex example", `{"time":[{"prefix":"2017-10-02"}],"detail":{"state":[{"anything-but":"initializing"}],"c-count":[{"numeric":[">",0,"<=",5]}],"d-count":[{"numeric":["<",10]}],"x-limit":[{"anything-but":[100,200,300]}],"source-ip":[{"cidr":"10.0.0.0/8"}]}}`, rulerEvent, true},
		{"complex example one field off", `{"time":[{"prefix":"2017-10-02"}],"detail":{"state":[{"anything-but":"running"}],"c-count":[{"numeric":[">",0,"<=",5]}]}}`, rulerEvent, false},

		// Our own events.
		{"calltaxi rule", `{"source":["calltaxi.payment","calltaxi.order"],"detail-type":["PaymentApproved","OrderCanceled"]}`,
			`{"version":"0","id":"1","detail-type":"PaymentApproved","source":"calltaxi.payment","account":"1","time":"t","region":"r","resources":[],"detail":{"orderId":"o1"}}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Match([]byte(tt.pattern), []byte(tt.event))
			if err != nil {
				t.Fatalf("Match error: %v", err)
			}
			if got != tt.want {
				t.Errorf("Match = %v, want %v\npattern %s\nevent %s", got, tt.want, tt.pattern, tt.event)
			}
		})
	}
}

func TestCompilePatternErrors(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		wantErr string
	}{
		{"unsupported operator named", `{"detail":{"state":[{"contains":"x"}]}}`, `detail.state: unsupported operator "contains"`},
		{"unsupported operator inside anything-but", `{"a":[{"anything-but":{"numeric":[">",1]}}]}`, `unsupported operator "numeric" inside "anything-but"`},
		{"unsupported numeric operator", `{"a":[{"numeric":["!=",1]}]}`, `a: Unrecognized numeric range operator: !=`},
		{"not json", `{"a":`, "invalid JSON"},
		{"not an object", `["a"]`, "must be a JSON object"},
		{"empty pattern", `{}`, "empty objects are not allowed"},
		{"scalar value", `{"source":"aws.ec2"}`, "source: value must be an object or an array"},
		{"empty array", `{"source":[]}`, "empty arrays are not allowed"},
		{"nested array", `{"source":[["a"]]}`, "arrays are not allowed"},
		{"two operators", `{"a":[{"prefix":"x","suffix":"y"}]}`, "exactly one operator"},
		{"prefix number", `{"a":[{"prefix":1}]}`, `"prefix" takes a string`},
		{"numeric odd", `{"a":[{"numeric":[">"]}]}`, "Value of > must be numeric"},
		{"numeric not an array", `{"a":[{"numeric":">"}]}`, "Value of numeric must be an array."},
		{"numeric equals combined", `{"a":[{"numeric":["=",1,"<",2]}]}`, "Too many elements in numeric expression"},
		{"numeric two lower", `{"a":[{"numeric":[">",1,">=",2]}]}`, "Bad numeric range operator: >="},
		{"numeric string value", `{"a":[{"numeric":[">","1"]}]}`, "Value of > must be numeric"},
		{"exists not bool", `{"a":[{"exists":"yes"}]}`, `"exists" takes true or false`},
		{"bad cidr", `{"a":[{"cidr":"10.0.0.0/33"}]}`, "invalid cidr"},
		{"anything-but mixed list", `{"a":[{"anything-but":["a",1]}]}`, "all strings or all numbers"},
		{"anything-but bool", `{"a":[{"anything-but":true}]}`, `"anything-but" takes`},
		{"wildcard consecutive stars", `{"a":[{"wildcard":"a**b"}]}`, "consecutive"},
		{"wildcard bad escape", `{"a":[{"wildcard":"a\\b"}]}`, "backslash"},
		{"or needs two", `{"$or":[{"a":["x"]}]}`, "at least 2 objects"},
		{"or item not object", `{"$or":[{"a":["x"]},"b"]}`, "must be an object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := CompilePattern([]byte(tt.pattern))
			if err == nil {
				t.Fatalf("CompilePattern(%s) succeeded, want error containing %q", tt.pattern, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %q, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

// TestCompilePatternRefusesWhatEventBridgeRefuses follows "Content filtering in Amazon EventBridge event
// patterns" (numeric matching is limited to -5.0e9..+5.0e9 with six digits to the right of the decimal
// point; anything-but prefix and suffix) with aws/event-ruler (JsonRuleCompiler, Range, ComparableNumber)
// as the second opinion for what is refused and the InvalidEventPatternException reason.
func TestCompilePatternRefusesWhatEventBridgeRefuses(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		wantErr string // "" = accepted
	}{
		{"anything-but empty prefix", `{"a":[{"anything-but":{"prefix":""}}]}`, "Null prefix/suffix not allowed"},
		{"anything-but empty suffix", `{"a":[{"anything-but":{"suffix":""}}]}`, "Null prefix/suffix not allowed"},
		{"anything-but empty prefix in a list", `{"a":[{"anything-but":{"prefix":["us-",""]}}]}`, "Null prefix/suffix not allowed"},
		{"anything-but non-empty prefix", `{"a":[{"anything-but":{"prefix":"us-"}}]}`, ""},
		{"anything-but empty equals-ignore-case", `{"a":[{"anything-but":{"equals-ignore-case":""}}]}`, ""},
		{"plain empty prefix", `{"a":[{"prefix":""}]}`, ""},
		{"upper bound first", `{"a":[{"numeric":["<",10,">",5]}]}`, "Too many elements in numeric expression"},
		{"upper bound first inclusive", `{"a":[{"numeric":["<=",10,">=",5]}]}`, "Too many elements in numeric expression"},
		{"inverted range", `{"a":[{"numeric":[">",5,"<",2]}]}`, "Bottom must be less than top"},
		{"nothing between open bounds", `{"a":[{"numeric":[">",5,"<",5]}]}`, "Bottom must be less than top"},
		{"nothing between closed bounds", `{"a":[{"numeric":[">=",5,"<=",5]}]}`, "Bottom must be less than top"},
		{"bounds equal to six decimals", `{"a":[{"numeric":[">",5,"<",5.0000001]}]}`, "Bottom must be less than top"},
		{"bounds a millionth apart", `{"a":[{"numeric":[">=",5,"<",5.000001]}]}`, ""},
		{"too many terms", `{"a":[{"numeric":[">",1,"<",5,"<",6]}]}`, "Too many terms in numeric range expression"},
		{"lower then lower", `{"a":[{"numeric":[">",1,">",5]}]}`, "Bad numeric range operator: >"},
		{"largest number", `{"a":[{"numeric":["<=",5e9]}]}`, ""},
		{"smallest number", `{"a":[{"numeric":[">=",-5.0e9]}]}`, ""},
		{"too large", `{"a":[{"numeric":[">",5000000000.000001]}]}`, "Value must be between -5.0E9 and 5.0E9, inclusive"},
		{"too small", `{"a":[{"numeric":["<",-5.1e9]}]}`, "Value must be between -5.0E9 and 5.0E9, inclusive"},
		{"too large as upper bound", `{"a":[{"numeric":[">",0,"<",6e9]}]}`, "Value must be between -5.0E9 and 5.0E9, inclusive"},
		{"too large to parse", `{"a":[{"numeric":["=",1e400]}]}`, "Value must be between -5.0E9 and 5.0E9, inclusive"},
		{"anything-but number too large", `{"a":[{"anything-but":[1,6e9]}]}`, "Value must be between -5.0E9 and 5.0E9, inclusive"},
		{"anything-but single number too small", `{"a":[{"anything-but":-6e9}]}`, "Value must be between -5.0E9 and 5.0E9, inclusive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := CompilePattern([]byte(tt.pattern))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("CompilePattern(%s) = %v, want it accepted", tt.pattern, err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("CompilePattern(%s) error = %v, want it to contain %q", tt.pattern, err, tt.wantErr)
			}
		})
	}
}

// TestNumericMatchingPrecisionAndRange: numeric matching works on -5.0e9..+5.0e9 to six decimal places
// ("Content filtering in Amazon EventBridge event patterns", Numeric matching).
func TestNumericMatchingPrecisionAndRange(t *testing.T) {
	tests := []struct {
		name, pattern, event string
		want                 bool
	}{
		{"a millionth above zero", `{"n":[{"numeric":[">",0]}]}`, `{"n":0.000001}`, true},
		{"below a millionth is zero", `{"n":[{"numeric":[">",0]}]}`, `{"n":0.0000001}`, false},
		{"equal to six decimals", `{"n":[{"numeric":["=",1.5]}]}`, `{"n":1.5000000001}`, true},
		{"upper limit inclusive", `{"n":[{"numeric":[">=",4e9]}]}`, `{"n":5e9}`, true},
		{"event value above the range never matches", `{"n":[{"numeric":[">",0]}]}`, `{"n":6e9}`, false},
		{"event value below the range never matches", `{"n":[{"numeric":["<",0]}]}`, `{"n":-6e9}`, false},
		{"anything-but number to six decimals", `{"n":[{"anything-but":[1.5]}]}`, `{"n":1.50000001}`, false},
		{"anything-but number out of range is not excluded", `{"n":[{"anything-but":[100]}]}`, `{"n":6e9}`, true},
		{"anything-but number vs string", `{"n":[{"anything-but":[100]}]}`, `{"n":"100"}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Match([]byte(tt.pattern), []byte(tt.event))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Match(%s, %s) = %v, want %v", tt.pattern, tt.event, got, tt.want)
			}
		})
	}
}

func TestPatternStringKeepsSource(t *testing.T) {
	src := `{"source": ["calltaxi.order"]}`
	p, err := CompilePattern([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if p.String() != src {
		t.Errorf("String() = %q, want %q", p.String(), src)
	}
}
