#!/bin/sh
# Generates ExecutorImage.g.cs: the built executor's bytes as a ReadOnlySpan<byte> of constants, which the compiler
# places in the assembly's read-only data. Run by build/Executor.targets: generate-executor-image.sh BINARY OUTPUT.cs
# Not a manifest resource: finding one by name starts .NET's reflection (its assembly binder, seen in every create,
# run and exec's profile) and its stream was copied through a managed array; the span is written straight to the memfd.
set -eu
bin=$1 out=$2
{
  echo "// Generated from the built executor by Executor/generate-executor-image.sh."
  echo "namespace Oci.Runtime.Executor;"
  echo "internal static partial class ExecutorImage"
  echo "{"
  echo "    /// <summary>The static executable built from Executor/executor.c.</summary>"
  echo "    static System.ReadOnlySpan<byte> Bytes => new byte[]"
  echo "    {"
  od -An -v -tx1 "$bin" | sed 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g; s/^/        /'
  echo "    };"
  echo "}"
} > "$out.tmp"
mv "$out.tmp" "$out"
