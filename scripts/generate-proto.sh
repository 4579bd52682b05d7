#!/usr/bin/env bash
# Regenerates the Swift code in Sources/EtcdServer/Generated/ from the .proto
# files in Sources/EtcdServer/Proto/. Run by hand after editing a .proto file;
# the generated code is committed and this script is never run in CI.
#
# Requires protoc (Debian: `apt-get install -y protobuf-compiler`) and two
# protoc plugins, passed in via environment variables:
#
#   PROTOC_GEN_SWIFT       path to protoc-gen-swift (swift-protobuf 1.39.0)
#   PROTOC_GEN_GRPC_SWIFT  path to protoc-gen-grpc-swift-2 (grpc-swift-protobuf 2.4.1)
#
# Building the plugins (outside this repo; ~10 minutes each on 2 cores):
#
#   mkdir -p /tmp/protoc-plugins && cd /tmp/protoc-plugins
#   git clone https://github.com/apple/swift-protobuf
#   (cd swift-protobuf && git checkout 1.39.0 &&
#    swift build -c release --product protoc-gen-swift)
#   git clone https://github.com/grpc/grpc-swift-protobuf
#   (cd grpc-swift-protobuf && git checkout 2.4.1 &&
#    swift build -c release --product protoc-gen-grpc-swift-2)
#
#   export PROTOC_GEN_SWIFT=/tmp/protoc-plugins/swift-protobuf/.build/release/protoc-gen-swift
#   export PROTOC_GEN_GRPC_SWIFT=/tmp/protoc-plugins/grpc-swift-protobuf/.build/release/protoc-gen-grpc-swift-2
#   scripts/generate-proto.sh
#
# (grpc-swift-protobuf 2.4.1 resolved to grpc-swift-2 2.4.3 and swift-protobuf
# 1.39.0 when these files were last generated.)
set -euo pipefail

: "${PROTOC_GEN_SWIFT:?set PROTOC_GEN_SWIFT to the protoc-gen-swift binary}"
: "${PROTOC_GEN_GRPC_SWIFT:?set PROTOC_GEN_GRPC_SWIFT to the protoc-gen-grpc-swift-2 binary}"
PROTOC="${PROTOC:-protoc}"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROTO_DIR="$ROOT/Sources/EtcdServer/Proto"
OUT_DIR="$ROOT/Sources/EtcdServer/Generated"

mkdir -p "$OUT_DIR"
rm -f "$OUT_DIR"/*.pb.swift "$OUT_DIR"/*.grpc.swift

# Each directory is its own include root, so files are named "kv.proto",
# "rpc_kv.proto", "health.proto" (rpc_kv.proto imports "kv.proto").
# The gRPC plugin writes only each service's method descriptors: skiff serves
# the methods with its own transport (Sources/EtcdServer/GRPC/), and the
# benchmark client calls them through GRPCClient, so the generated client and
# server stubs (thousands of lines) would go unused.
"$PROTOC" \
  --proto_path="$PROTO_DIR/etcd" \
  --proto_path="$PROTO_DIR/grpc" \
  --plugin=protoc-gen-swift="$PROTOC_GEN_SWIFT" \
  --plugin=protoc-gen-grpc-swift-2="$PROTOC_GEN_GRPC_SWIFT" \
  --swift_out="$OUT_DIR" \
  --swift_opt=Visibility=Public,FileNaming=DropPath \
  --grpc-swift-2_out="$OUT_DIR" \
  --grpc-swift-2_opt=Visibility=Public,Server=false,Client=false,FileNaming=DropPath \
  "$PROTO_DIR"/etcd/*.proto \
  "$PROTO_DIR"/grpc/*.proto

# protoc-gen-grpc-swift-2 emits a stub for every input file; drop the ones
# for files that hold messages only (kv.proto, rpc_header.proto, rpc_range.proto, ...).
for f in "$OUT_DIR"/*.grpc.swift; do
  if grep -q "This file contained no services" "$f"; then
    rm -f "$f"
  fi
done

echo "Generated:"
ls -1 "$OUT_DIR"
