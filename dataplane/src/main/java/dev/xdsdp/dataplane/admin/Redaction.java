package dev.xdsdp.dataplane.admin;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.xdsdp.xds.bootstrap.EnvoyTypeRegistry;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import udpa.annotations.Sensitive;

/**
 * Envoy's {@code MessageUtil::redact}: every field marked {@code (udpa.annotations.sensitive)},
 * and everything below it, is hidden before a config is shown: strings and bytes become
 * {@code "[redacted]"}, other values are cleared, map keys are kept. {@code Any} payloads are
 * unpacked, redacted and repacked, so a private key inside a transport socket's typed config is
 * hidden too. On the way it collects the types of every {@code Any} it meets, which the JSON
 * printer needs to resolve them.
 *
 * <p>Types that can hold neither an {@code Any} nor a sensitive field are not walked.
 */
final class Redaction {

  static final String REDACTED = "[redacted]";
  private static final ByteString REDACTED_BYTES = ByteString.copyFromUtf8(REDACTED);

  // Whether a message of the type can hold an Any or a sensitive field anywhere below it.
  private static final Map<Descriptor, Boolean> WORTH_WALKING = new ConcurrentHashMap<>();

  private final Set<Descriptor> anyTypes = new HashSet<>();
  private final Set<String> unresolved = new HashSet<>();

  /** The types of the {@code Any} payloads seen so far. */
  Set<Descriptor> anyTypes() {
    return anyTypes;
  }

  /** Type URLs of {@code Any} payloads whose type is not known here (shown as they are). */
  Set<String> unresolved() {
    return unresolved;
  }

  /** {@code message} with its sensitive parts redacted (the same object when nothing changed). */
  <T extends Message> T redact(T message) {
    @SuppressWarnings("unchecked")
    T result = (T) visit(message, false);
    return result;
  }

  private Message visit(Message message, boolean sensitiveAncestor) {
    Descriptor type = message.getDescriptorForType();
    if (type.getFullName().equals(Any.getDescriptor().getFullName())) {
      return visitAny(message, sensitiveAncestor);
    }
    if (!sensitiveAncestor && !worthWalking(type)) {
      return message;
    }
    Message.Builder builder = null;
    for (FieldDescriptor field : type.getFields()) {
      boolean sensitive = sensitiveAncestor || field.getOptions().getExtension(Sensitive.sensitive);
      if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        if (field.isMapField()) {
          builder = redactMap(message, builder, field, sensitive);
        } else if (field.isRepeated()) {
          int count = message.getRepeatedFieldCount(field);
          for (int i = 0; i < count; i++) {
            Message element = (Message) message.getRepeatedField(field, i);
            Message redacted = visit(element, sensitive);
            if (redacted != element) {
              builder = builder != null ? builder : message.toBuilder();
              builder.setRepeatedField(field, i, redacted);
            }
          }
        } else if (message.hasField(field)) {
          Message value = (Message) message.getField(field);
          Message redacted = visit(value, sensitive);
          if (redacted != value) {
            builder = builder != null ? builder : message.toBuilder();
            builder.setField(field, redacted);
          }
        }
      } else if (sensitive) {
        builder = redactScalar(message, builder, field);
      }
    }
    return builder == null ? message : builder.build();
  }

  private Message.Builder redactScalar(Message message, Message.Builder builder, FieldDescriptor field) {
    boolean text = field.getJavaType() == FieldDescriptor.JavaType.STRING
        || field.getJavaType() == FieldDescriptor.JavaType.BYTE_STRING;
    if (field.isRepeated()) {
      int count = message.getRepeatedFieldCount(field);
      if (count == 0) {
        return builder;
      }
      builder = builder != null ? builder : message.toBuilder();
      if (text) {
        for (int i = 0; i < count; i++) {
          builder.setRepeatedField(field, i, redactedValue(field));
        }
      } else {
        builder.clearField(field);
      }
      return builder;
    }
    if (!message.hasField(field)) {
      return builder;
    }
    builder = builder != null ? builder : message.toBuilder();
    if (text) {
      builder.setField(field, redactedValue(field));
    } else {
      builder.clearField(field);
    }
    return builder;
  }

  private static Object redactedValue(FieldDescriptor field) {
    return field.getJavaType() == FieldDescriptor.JavaType.STRING ? REDACTED : REDACTED_BYTES;
  }

  // Map values only: redacting keys would leave several "[redacted]" keys.
  private Message.Builder redactMap(
      Message message, Message.Builder builder, FieldDescriptor field, boolean sensitive) {
    FieldDescriptor valueField = field.getMessageType().findFieldByName("value");
    int count = message.getRepeatedFieldCount(field);
    for (int i = 0; i < count; i++) {
      Message entry = (Message) message.getRepeatedField(field, i);
      Message newEntry = entry;
      if (valueField.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        Message value = (Message) entry.getField(valueField);
        Message redacted = visit(value, sensitive);
        if (redacted != value) {
          newEntry = entry.toBuilder().setField(valueField, redacted).build();
        }
      } else if (sensitive) {
        boolean text = valueField.getJavaType() == FieldDescriptor.JavaType.STRING
            || valueField.getJavaType() == FieldDescriptor.JavaType.BYTE_STRING;
        newEntry = text
            ? entry.toBuilder().setField(valueField, redactedValue(valueField)).build()
            : entry.toBuilder().clearField(valueField).build();
      }
      if (newEntry != entry) {
        builder = builder != null ? builder : message.toBuilder();
        builder.setRepeatedField(field, i, newEntry);
      }
    }
    return builder;
  }

  private Message visitAny(Message anyMessage, boolean sensitiveAncestor) {
    Any any = anyMessage instanceof Any a ? a : toAny(anyMessage);
    String typeUrl = any.getTypeUrl();
    if (typeUrl.isEmpty()) {
      return anyMessage;
    }
    Optional<Descriptor> type = EnvoyTypeRegistry.get().find(typeUrl);
    if (type.isEmpty()) {
      unresolved.add(typeUrl);
      // As Envoy: an unknown payload is treated as the plain Any it is.
      return sensitiveAncestor ? Any.newBuilder().setTypeUrl(REDACTED).setValue(REDACTED_BYTES).build() : anyMessage;
    }
    anyTypes.add(type.get());
    if (!sensitiveAncestor && !worthWalking(type.get())) {
      return anyMessage;
    }
    Message payload;
    try {
      payload = DynamicMessage.parseFrom(type.get(), any.getValue());
    } catch (InvalidProtocolBufferException e) {
      return anyMessage;
    }
    Message redacted = visit(payload, sensitiveAncestor);
    if (redacted == payload) {
      return anyMessage;
    }
    return Any.newBuilder().setTypeUrl(typeUrl).setValue(redacted.toByteString()).build();
  }

  private static Any toAny(Message dynamicAny) {
    try {
      return Any.parseFrom(dynamicAny.toByteString());
    } catch (InvalidProtocolBufferException e) {
      return Any.getDefaultInstance();
    }
  }

  /** Whether an Any or a sensitive field can occur anywhere in a message of {@code root}'s type. */
  static boolean worthWalking(Descriptor root) {
    Boolean known = WORTH_WALKING.get(root);
    if (known != null) {
      return known;
    }
    boolean found = false;
    Set<Descriptor> seen = new HashSet<>();
    ArrayDeque<Descriptor> todo = new ArrayDeque<>(List.of(root));
    while (!todo.isEmpty() && !found) {
      Descriptor d = todo.poll();
      if (!seen.add(d)) {
        continue;
      }
      if (d.getFullName().equals(Any.getDescriptor().getFullName()) || Boolean.TRUE.equals(WORTH_WALKING.get(d))) {
        found = true;
        break;
      }
      for (FieldDescriptor f : d.getFields()) {
        if (f.getOptions().getExtension(Sensitive.sensitive)) {
          found = true;
          break;
        }
        if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
          todo.add(f.getMessageType());
        }
      }
    }
    WORTH_WALKING.put(root, found);
    return found;
  }
}
