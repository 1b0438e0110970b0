{
  "targets": [
    {
      "target_name": "wharf_native",
      "sources": ["module.cc", "sendfile.cc", "gate.cc", "connection.cc", "http-ops.cc", "hasher.cc"],
      "cflags_cc": ["-std=c++17", "-O2"],
      "conditions": [["OS!='linux'", {"type": "none"}]]
    }
  ]
}
