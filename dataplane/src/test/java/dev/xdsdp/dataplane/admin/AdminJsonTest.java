package dev.xdsdp.dataplane.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.DoubleValue;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.admin.v3.HostStatus;
import io.envoyproxy.envoy.admin.v3.SimpleMetric;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.type.v3.Percent;
import org.junit.jupiter.api.Test;

class AdminJsonTest {

  @Test
  void laysOutLikeProtobufCpp() throws Exception {
    HostStatus h = HostStatus.newBuilder()
        .addStats(SimpleMetric.newBuilder().setName("cx_total").setValue(3))
        .addStats(SimpleMetric.newBuilder().setName("rq_active").setType(SimpleMetric.Type.GAUGE))
        .setSuccessRate(Percent.newBuilder().setValue(100.0))
        .setWeight(1)
        .setLocality(Locality.getDefaultInstance())
        .build();
    assertEquals("""
        {
         "stats": [
          {
           "value": "3",
           "name": "cx_total"
          },
          {
           "type": "GAUGE",
           "name": "rq_active"
          }
         ],
         "success_rate": {
          "value": 100
         },
         "weight": 1,
         "locality": {}
        }""", AdminJson.print(h, false));
  }

  @Test
  void stringsAreCopiedVerbatim() {
    assertEquals("{\n \"a\": \"{[,:]} \\\" \\\\\",\n \"b\": [\n  \"x\",\n  \"5.0\"\n ]\n}",
        AdminJson.layout("{\"a\":\"{[,:]} \\\" \\\\\",\"b\":[\"x\",\"5.0\"]}"));
  }

  @Test
  void integralDoublesLoseTheirFraction() throws Exception {
    assertEquals("5", AdminJson.print(DoubleValue.of(5.0), false));
    assertEquals("-2", AdminJson.print(DoubleValue.of(-2.0), false));
    assertEquals("0.5", AdminJson.print(DoubleValue.of(0.5), false));
    assertEquals("10.25", AdminJson.print(DoubleValue.of(10.25), false));
  }

  @Test
  void emptyContainersStayOnOneLine() throws Exception {
    Struct s = Struct.newBuilder()
        .putFields("o", Value.newBuilder().setStructValue(Struct.getDefaultInstance()).build())
        .putFields("l", Value.newBuilder().setListValue(ListValue.getDefaultInstance()).build())
        .build();
    assertEquals("{\n \"o\": {},\n \"l\": []\n}", AdminJson.print(s, false));
    assertEquals("{}", AdminJson.print(Struct.getDefaultInstance(), false));
  }

  @Test
  void printsQuotesAndAnglesAsProtobufCppDoes() throws Exception {
    var m = io.envoyproxy.envoy.admin.v3.UpdateFailureState.newBuilder()
        .setDetails("Didn't find 'x' <a> & b=c \\u0027 kept").build();
    String json = AdminJson.print(m, false);
    org.junit.jupiter.api.Assertions.assertTrue(json.contains("\"details\": \"Didn't find 'x' <a> & b=c \\\\u0027 kept\""), json);
  }
}
