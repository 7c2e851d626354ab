"""`edgec export`: model -> an Android library module or an iOS Swift package around the compiled C."""

from __future__ import annotations

from pathlib import Path

from .compile import add_compile_options, compile_options, print_compile_summary


def register(sub) -> None:
    p = sub.add_parser("export", help="compile a model and package it for an app: an Android library module "
                                      "(Gradle, CMake, JNI, Kotlin) or an iOS Swift package")
    add_compile_options(p)
    p.add_argument("--platform", required=True, choices=["android", "ios"], help="the package to write")
    p.add_argument("--target", "-t", choices=["opencl", "vulkan"],
                   help="android: the GPU build (OpenCL or Vulkan device kernels with a plain-C host that loads the "
                        "driver at run time) instead of the portable C kernels")
    p.add_argument("-o", "--output", type=Path, required=True, help="the package's folder (e.g. MyModelLib/)")
    p.add_argument("--package", metavar="JAVA.PACKAGE",
                   help="android: the module's namespace and the wrapper's package (default edgec.models.<name>)")
    p.add_argument("--class", dest="class_name", metavar="NAME",
                   help="the wrapper class (Kotlin / Swift; default: the model name in CamelCase)")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..config import load_config
    from ..errors import EdgecError
    from ..export.interface import check_class_name
    from ..export.jni_glue import check_package
    from ..export.package import export_model

    if args.package and args.platform != "android":
        raise EdgecError("--package names the Android module's namespace: only used with --platform android")
    if args.package:
        check_package(args.package)  # before the compile: a typo should not cost one
    if args.class_name:
        check_class_name(args.class_name)
    options = compile_options(args)
    result, files = export_model(args.model, args.platform, args.output, options, load_config(args.config),
                                 package=args.package, class_name=args.class_name, target=args.target)
    print_compile_summary(args, result)
    print(f"wrote {args.output}/ ({args.platform}: {len(files)} files)")
    return 0
