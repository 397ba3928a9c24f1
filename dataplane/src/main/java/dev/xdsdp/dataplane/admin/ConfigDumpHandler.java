package dev.xdsdp.dataplane.admin;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.FieldMask;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import com.google.protobuf.util.FieldMaskUtil;
import com.google.protobuf.util.JsonFormat;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.xdsdp.xds.bootstrap.EnvoyTypeRegistry;
import io.envoyproxy.envoy.admin.v3.ConfigDump;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * {@code /config_dump}, as Envoy's {@code ConfigDumpHandler}: one section per {@link ConfigTracker}
 * source in key order, plus the endpoints with {@code ?include_eds}; {@code ?resource=} lists the
 * elements of one repeated field of whichever section has it; {@code ?mask=} is a
 * {@code FieldMask} applied to every section (sections it does not fit are left out) or, with
 * {@code resource}, to every element, reaching into the element's single {@code Any} field;
 * {@code ?name_regex=} keeps only resources whose name fully matches. Sensitive fields are
 * redacted before printing.
 */
final class ConfigDumpHandler {

  private final ConfigTracker tracker;
  private final AdminContext context;
  private final StaticConfigDumps endpoints;
  private volatile CachedRegistry lastRegistry;

  ConfigDumpHandler(ConfigTracker tracker, AdminContext context) {
    this.tracker = tracker;
    this.context = context;
    this.endpoints = new StaticConfigDumps(context);
  }

  List<AdminEndpoint> endpoints() {
    return List.of(AdminEndpoint.get("/config_dump", "dump current Envoy configs (experimental)", this::configDump,
        AdminEndpoint.Param.of("resource", "The repeated field whose elements to dump"),
        AdminEndpoint.Param.of("mask", "A FieldMask (comma-separated paths) applied to each section, or to each"
            + " element of the resource when resource is given"),
        AdminEndpoint.Param.of("name_regex", "Only dump configurations whose names match this regex (RE2, full"
            + " match); works with resource and mask"),
        AdminEndpoint.Param.of("include_eds", "Also dump the endpoints of every cluster")));
  }

  AdminResponse configDump(AdminRequest request) {
    Optional<String> resource = request.first("resource");
    Optional<String> mask = request.first("mask");
    boolean includeEds = request.has("include_eds");
    Predicate<String> names;
    Optional<String> regex = request.first("name_regex").filter(s -> !s.isEmpty());
    if (regex.isPresent()) {
      try {
        Pattern p = Pattern.compile(regex.get());
        names = s -> p.matches(s);
      } catch (PatternSyntaxException e) {
        return new AdminResponse(400, AdminResponse.TEXT,
            "INVALID_ARGUMENT: Error while parsing name_regex from " + regex.get() + ": " + e.getMessage(), null);
      }
    } else {
      names = s -> true;
    }

    SortedMap<String, ConfigTracker.Source> sources = new TreeMap<>(tracker.sources());
    if (includeEds && !context.clusterManager().all().isEmpty()) {
      sources.put(ConfigTracker.ENDPOINT, endpoints::endpoints);
    }
    ConfigDump.Builder dump = ConfigDump.newBuilder();
    AdminResponse error = resource.isPresent()
        ? addResource(dump, sources, resource.get(), mask, names)
        : addAll(dump, sources, mask, names);
    if (error != null) {
      return error;
    }
    Redaction redaction = new Redaction();
    ConfigDump redacted = redaction.redact(dump.build());
    JsonFormat.TypeRegistry registry = redaction.unresolved().isEmpty()
        ? registryFor(redaction.anyTypes())
        // A type only the full scan finds: print with every known type.
        : EnvoyTypeRegistry.get().jsonRegistry();
    try {
      return AdminResponse.json(AdminJson.print(redacted, false, registry));
    } catch (InvalidProtocolBufferException e) {
      return new AdminResponse(500, AdminResponse.TEXT, "cannot print the config dump: " + e.getMessage(), null);
    }
  }

  /**
   * A JSON registry of {@code types} and the files they need. Successive dumps mostly hold the same
   * types, so the last registry is kept and reused while it covers them.
   */
  private JsonFormat.TypeRegistry registryFor(Set<Descriptor> types) {
    CachedRegistry cached = lastRegistry;
    if (cached != null && cached.types().containsAll(types)) {
      return cached.registry();
    }
    Set<Descriptor> all = new HashSet<>(types);
    if (cached != null) {
      all.addAll(cached.types());
    }
    JsonFormat.TypeRegistry registry = JsonFormat.TypeRegistry.newBuilder().add(all).build();
    lastRegistry = new CachedRegistry(Set.copyOf(all), registry);
    return registry;
  }

  private record CachedRegistry(Set<Descriptor> types, JsonFormat.TypeRegistry registry) {}

  private static AdminResponse addAll(ConfigDump.Builder dump, SortedMap<String, ConfigTracker.Source> sources,
      Optional<String> mask, Predicate<String> names) {
    FieldMask fieldMask = mask.map(FieldMaskUtil::fromString).orElse(null);
    for (ConfigTracker.Source source : sources.values()) {
      Message section = source.dump(names);
      if (fieldMask != null) {
        // Masks cannot index into repeated fields, and each section type has its own valid masks:
        // a section the mask does not fit is left out rather than failing the request.
        if (!FieldMaskUtil.isValid(section.getDescriptorForType(), fieldMask)) {
          continue;
        }
        section = FieldMaskUtil.trim(fieldMask, section);
      }
      dump.addConfigs(Any.pack(section));
    }
    if (dump.getConfigsCount() == 0 && mask.isPresent()) {
      return new AdminResponse(400, AdminResponse.TEXT,
          "FieldMask " + mask.get() + " could not be successfully applied to any configs.", null);
    }
    return null;
  }

  private static AdminResponse addResource(ConfigDump.Builder dump, SortedMap<String, ConfigTracker.Source> sources,
      String resource, Optional<String> mask, Predicate<String> names) {
    FieldMask fieldMask = mask.map(FieldMaskUtil::fromString).orElse(null);
    for (ConfigTracker.Source source : sources.values()) {
      Message section = source.dump(names);
      FieldDescriptor field = section.getDescriptorForType().findFieldByName(resource);
      if (field == null) {
        continue;
      }
      if (!field.isRepeated()) {
        return new AdminResponse(400, AdminResponse.TEXT, field.getName()
            + " is not a repeated field. Use ?mask=" + field.getName() + " to get only this field", null);
      }
      int count = section.getRepeatedFieldCount(field);
      for (int i = 0; i < count; i++) {
        Message element = (Message) section.getRepeatedField(field, i);
        if (fieldMask != null) {
          element = trimResource(fieldMask, element);
          if (element == null) {
            return new AdminResponse(400, AdminResponse.TEXT, "FieldMask "
                + TextFormat.printer().printToString(fieldMask) + " could not be successfully used.", null);
          }
        }
        dump.addConfigs(Any.pack(element));
      }
      return null;
    }
    return new AdminResponse(404, AdminResponse.TEXT, resource + " not found in config dump", null);
  }

  /**
   * Envoy's {@code trimResourceMessage}: paths that start with the element's (single, singular)
   * {@code Any} field are split into an outer path (the Any field) and an inner path applied to
   * the unpacked payload. Returns null when either mask does not fit.
   */
  static Message trimResource(FieldMask mask, Message message) {
    Descriptor type = message.getDescriptorForType();
    List<String> outer = new ArrayList<>();
    List<String> inner = new ArrayList<>();
    String anyField = null;
    for (String path : mask.getPathsList()) {
      String[] frags = path.split("\\.", -1);
      FieldDescriptor f = type.findFieldByName(frags[0]);
      if (f != null && !f.isRepeated() && f.getJavaType() == FieldDescriptor.JavaType.MESSAGE
          && f.getMessageType().getFullName().equals(Any.getDescriptor().getFullName())
          && (anyField == null || anyField.equals(frags[0]))) {
        anyField = frags[0];
        outer.add(frags[0]);
        inner.add(path.indexOf('.') < 0 ? "" : path.substring(path.indexOf('.') + 1));
      } else {
        outer.add(path);
      }
    }
    if (anyField != null) {
      FieldDescriptor f = type.findFieldByName(anyField);
      if (message.hasField(f)) {
        Any any;
        try {
          any = Any.parseFrom(((Message) message.getField(f)).toByteString());
        } catch (InvalidProtocolBufferException e) {
          return null;
        }
        Optional<Descriptor> payloadType = EnvoyTypeRegistry.get().find(any.getTypeUrl());
        if (payloadType.isEmpty()) {
          return null;
        }
        Message payload;
        try {
          payload = DynamicMessage.parseFrom(payloadType.get(), any.getValue());
        } catch (InvalidProtocolBufferException e) {
          return null;
        }
        FieldMask innerMask = FieldMask.newBuilder().addAllPaths(inner).build();
        if (!FieldMaskUtil.isValid(payloadType.get(), innerMask)) {
          return null;
        }
        Message trimmed = FieldMaskUtil.trim(innerMask, payload);
        message = message.toBuilder()
            .setField(f, Any.newBuilder().setTypeUrl(any.getTypeUrl()).setValue(trimmed.toByteString()).build())
            .build();
      }
    }
    FieldMask outerMask = FieldMask.newBuilder().addAllPaths(outer).build();
    if (!FieldMaskUtil.isValid(type, outerMask)) {
      return null;
    }
    return FieldMaskUtil.trim(outerMask, message);
  }
}
