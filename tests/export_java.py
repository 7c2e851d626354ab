"""A host-JDK driver for an exported Android module's JNI glue.

Debian 12's Kotlin (1.3.31, 2019) cannot build the generated Kotlin wrapper, so the tests load the glue through a
Java class of the same name and package declaring the same native methods: jni_glue.java_declaration renders the
very list (native_methods) the Kotlin wrapper's `external` declarations come from. Its main() runs every record of
the input files through both entry points (typed arrays and direct ByteBuffers), checks that four threads running
at once get the single-thread result, and that misuse throws the expected Java exceptions.
"""

from __future__ import annotations

from edgec.export.interface import ModelInterface
from edgec.export.jni_glue import java_declaration, native_methods

VIEW = {"float": "asFloatBuffer()", "short": "asShortBuffer()", "int": "asIntBuffer()", "long": "asLongBuffer()",
        "byte": None}


def java_driver(iface: ModelInterface, package: str, library: str) -> str:
    cls = iface.class_name
    ins, outs = iface.inputs, iface.outputs
    arrays, buffers = native_methods()
    t0 = ins[0]
    lines = [
        f"package {package};",
        "",
        "import java.nio.ByteBuffer;",
        "import java.nio.ByteOrder;",
        "import java.nio.file.Files;",
        "import java.nio.file.Paths;",
        "import java.util.Arrays;",
        "",
        f"public final class {cls} {{",
        f'    static {{ System.loadLibrary("{library}"); }}',
        f"    {java_declaration(arrays, iface)}",
        f"    {java_declaration(buffers, iface)}",
        "",
        "    static ByteBuffer slice(byte[] data, int offset, int length) {",
        "        return ByteBuffer.wrap(data, offset, length).slice().order(ByteOrder.nativeOrder());",
        "    }",
        "",
        "    static ByteBuffer direct(int bytes) {",
        "        return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());",
        "    }",
        "",
        "    static void expect(String what, Class<?> exception, Runnable call) {",
        "        try {",
        "            call.run();",
        '            throw new AssertionError(what + ": no exception");',
        "        } catch (RuntimeException e) {",
        "            if (!exception.isInstance(e)) throw new AssertionError(what + \": \" + e, e);",
        '            System.out.println("ok " + what + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());',
        "        }",
        "    }",
        "",
        "    public static void main(String[] args) throws Exception {",
        f"        {cls} model = new {cls}();",
        "        int records = Integer.parseInt(args[0]);",
        *[f"        byte[] in{t.index} = Files.readAllBytes(Paths.get(args[{1 + t.index}]));" for t in ins],
        *[f"        java.io.OutputStream outA{t.index} = Files.newOutputStream(Paths.get(args[{1 + len(ins) + t.index}]));"
          for t in outs],
        *[f"        java.io.OutputStream outB{t.index} = Files.newOutputStream(Paths.get(args[{1 + len(ins) + len(outs) + t.index}]));"
          for t in outs],
        "        for (int r = 0; r < records; ++r) {",
    ]
    for t in ins:
        view = VIEW[t.type.java]
        lines += [f"            {t.type.java}[] {t.var} = new {t.type.java}[{t.elems}];",
                  f"            slice(in{t.index}, r * {t.bytes}, {t.bytes}){'.' + view if view else ''}.get({t.var});",
                  f"            ByteBuffer {t.var}b = direct({t.bytes});",
                  f"            {t.var}b.put(slice(in{t.index}, r * {t.bytes}, {t.bytes}));"]
    for t in outs:
        lines += [f"            {t.type.java}[] {t.var} = new {t.type.java}[{t.elems}];",
                  f"            ByteBuffer {t.var}b = direct({t.bytes});"]
    all_vars = ", ".join(t.var for t in iface.tensors)
    lines += [f"            model.{arrays.name}({all_vars});",
              f"            model.{buffers.name}({', '.join(t.var + 'b' for t in iface.tensors)});"]
    for t in outs:
        view = VIEW[t.type.java]
        lines += [f"            ByteBuffer {t.var}w = ByteBuffer.allocate({t.bytes}).order(ByteOrder.nativeOrder());",
                  f"            {t.var}w{'.' + view if view else ''}.put({t.var});",
                  f"            outA{t.index}.write({t.var}w.array());",
                  f"            byte[] {t.var}c = new byte[{t.bytes}];",
                  f"            {t.var}b.get({t.var}c);",
                  f"            outB{t.index}.write({t.var}c);"]
    lines += ["        }", *[f"        outA{t.index}.close(); outB{t.index}.close();" for t in outs]]
    # Record 0 again: the reference result, then four threads with their own instances and arrays at once.
    first = [f"        {t.type.java}[] {t.var} = new {t.type.java}[{t.elems}];" for t in iface.tensors]
    first += [f"        slice(in{t.index}, 0, {t.bytes}){'.' + VIEW[t.type.java] if VIEW[t.type.java] else ''}"
              f".get({t.var});" for t in ins]
    lines += [*first, f"        model.{arrays.name}({all_vars});",
              "        Thread[] threads = new Thread[4];",
              "        final boolean[] same = new boolean[threads.length];",
              "        for (int k = 0; k < threads.length; ++k) {",
              "            final int id = k;",
              "            threads[k] = new Thread(() -> {",
              f"                {cls} own = new {cls}();",
              *[f"                {t.type.java}[] mine{t.index} = new {t.type.java}[{t.elems}];" for t in outs],
              "                boolean ok = true;",
              "                for (int n = 0; n < 50; ++n) {",
              f"                    own.{arrays.name}({', '.join([t.var for t in ins] + [f'mine{t.index}' for t in outs])});",
              *[f"                    ok &= Arrays.equals(mine{t.index}, {t.var});" for t in outs],
              "                }",
              "                same[id] = ok;",
              "            });",
              "            threads[k].start();",
              "        }",
              "        for (Thread th : threads) th.join();",
              "        for (boolean ok : same) if (!ok) throw new AssertionError(\"a thread got another result\");",
              '        System.out.println("ok threads");']
    # Misuse: each throws, the JVM carries on.
    wrong = [f"new {t.type.java}[{t.elems + 1}]" if t is t0 else t.var for t in iface.tensors]
    null = ["null" if t is t0 else t.var for t in iface.tensors]
    heap = [f"ByteBuffer.allocate({t.bytes})" if t is t0 else f"direct({t.bytes})" for t in iface.tensors]
    small = [f"direct({t.bytes - 1})" if t is t0 else f"direct({t.bytes})" for t in iface.tensors]
    lines += [
        f'        expect("wrong length", IllegalArgumentException.class, () -> model.{arrays.name}({", ".join(wrong)}));',
        f'        expect("null array", NullPointerException.class, () -> model.{arrays.name}({", ".join(null)}));',
        f'        expect("heap buffer", IllegalArgumentException.class, () -> model.{buffers.name}({", ".join(heap)}));',
        f'        expect("small buffer", IllegalArgumentException.class, () -> model.{buffers.name}({", ".join(small)}));',
        *[f"        {t.type.java}[] again{t.index} = new {t.type.java}[{t.elems}];" for t in outs],
        f"        model.{arrays.name}({', '.join([t.var for t in ins] + [f'again{t.index}' for t in outs])});",
        *[f'        if (!Arrays.equals(again{t.index}, {t.var})) throw new AssertionError("changed after misuse");'
          for t in outs],
        '        System.out.println("ok after misuse");',
        "    }",
        "}",
        "",
    ]
    return "\n".join(lines)
