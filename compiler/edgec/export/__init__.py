"""`edgec export`: the compiled model packaged for an app (android.py: a Gradle module, ios.py: a Swift package)."""
