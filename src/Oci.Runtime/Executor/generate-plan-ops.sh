#!/bin/sh
# Generates the C# side of the executor's wire format from plan.def (its one description): the step and message
# numbers and each step's arity. Run by build/Executor.targets: generate-plan-ops.sh plan.def OUTPUT.cs
set -eu
def=$1 out=$2
ops=$(sed -n 's/^OP(\([A-Z_0-9]*\), *\([0-9]*\), *\(-\{0,1\}[0-9]*\), *\(-\{0,1\}[0-9]*\)).*/\1 \2 \3 \4/p' "$def")
msgs=$(sed -n 's/^MSG(\([A-Z_0-9]*\), *\([0-9]*\)).*/\1 \2/p' "$def")
{
  echo "// Generated from Executor/plan.def by Executor/generate-plan-ops.sh: edit plan.def."
  echo "namespace Oci.Runtime.Executor;"
  echo "/// <summary>The executor's plan steps (plan.def).</summary>"
  echo "internal enum PlanOp : uint"
  echo "{"
  echo "$ops" | while read -r name code ints strs; do echo "    $name = $code,"; done
  echo "}"
  echo "/// <summary>The executor's messages to the runtime (plan.def).</summary>"
  echo "internal enum ExecutorMessage : uint"
  echo "{"
  echo "$msgs" | while read -r name code; do echo "    $name = $code,"; done
  echo "}"
  echo "/// <summary>How many integers and strings each step takes (-1: any number).</summary>"
  echo "internal static class PlanArity"
  echo "{"
  echo "    /// <summary>The arity of <paramref name=\"op\"/>.</summary>"
  echo "    public static (int Ints, int Strings) Of(PlanOp op) => op switch"
  echo "    {"
  echo "$ops" | while read -r name code ints strs; do echo "        PlanOp.$name => ($ints, $strs),"; done
  echo "        _ => throw new System.ArgumentOutOfRangeException(nameof(op)),"
  echo "    };"
  echo "}"
} > "$out.tmp"
mv "$out.tmp" "$out"
