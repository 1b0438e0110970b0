{
  "targets": [
    {
      "target_name": "wharf_sendfile",
      "sources": ["sendfile.cc"],
      "cflags_cc": ["-std=c++17", "-O2"],
      "conditions": [["OS!='linux'", {"type": "none"}]]
    }
  ]
}
