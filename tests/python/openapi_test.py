"""docs/openapi.yaml against the routes ui-web serves.

Reads the routing table kRoutes and the fixed routes of Api::Impl::handle from ui-web/api.cpp,
and the permission each handler requires from ui-web/api_*.cpp, then checks that the OpenAPI
file documents every route (path with '{...}' where the route has '*', and method), that every
documented /api path is served by a route, that each path parameter is declared, and that each
operation's x-permission names what the handler requires. The YAML is read line by line (paths
at two spaces under `paths:`, methods at four): no third-party module is needed.

usage: openapi_test.py PROJECT_SOURCE_DIR
"""

import pathlib
import re
import sys
import unittest

ROOT = None
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
# accounts::to_string(Permission): the names x-permission uses.
PERMISSION_NAMES = {"export_data": "export"}


def code_routes(api_cpp):
    """{(METHOD, pattern): handler} from kRoutes, plus the fixed routes (handler None)."""
    table = re.search(r"kRoutes\s*\{(.*?)\n\};", api_cpp, re.S)
    if not table:
        raise AssertionError("ui-web/api.cpp has no kRoutes table")
    routes = {}
    for method, pattern, handler in re.findall(
            r'Route\s*\{\s*"([A-Z]+)"\s*,\s*"([^"]+)"\s*,\s*(\w+)\s*\}', table.group(1)):
        routes[(method, pattern)] = handler
    # Api::Impl::handle answers these itself, before the table: either order of the tests.
    for path, method in re.findall(
            r'request\.path\s*==\s*"(/api/[^"]*)"\s*&&\s*request\.method\s*==\s*"([A-Z]+)"',
            api_cpp):
        routes[(method, path)] = None
    for method, path in re.findall(
            r'request\.method\s*==\s*"([A-Z]+)"\s*&&\s*request\.path\s*==\s*"(/api/[^"]*)"',
            api_cpp):
        routes[(method, path)] = None
    return routes


def handler_permissions(sources):
    """{handler: set of permission names its require() calls name}, for every handler."""
    permissions = {}
    for text in sources:
        starts = list(re.finditer(r"^Response (\w+)\(Context&", text, re.M))
        for index, start in enumerate(starts):
            end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
            body = text[start.end():end]
            names = set()
            for call in re.findall(r"require\(\s*caller\s*,(.*?)\);", body, re.S):
                for name in re.findall(r"Permission::(\w+)", call):
                    names.add(PERMISSION_NAMES.get(name, name))
            permissions[start.group(1)] = names
    return permissions


def top_level_block(lines, key):
    """The lines of the top-level mapping `key:` (up to the next top-level key)."""
    block, inside = [], False
    for line in lines:
        if line and not line[0].isspace() and not line.startswith("#"):
            if inside:
                break
            inside = line.rstrip() == key + ":"
            continue
        if inside:
            block.append(line)
    return block


def mapping_key(line, indent):
    """The key of a `key:` line at exactly `indent` spaces, unquoted; None otherwise."""
    if len(line) - len(line.lstrip(" ")) != indent or line.lstrip().startswith(("#", "- ")):
        return None
    match = re.match(r"""^\s*("[^"]*"|'[^']*'|[^:#]+?)\s*:(\s|$)""", line)
    if not match:
        return None
    return match.group(1).strip("\"'")


def documented(yaml_text):
    """{path: {"methods": {method: [lines]}, "lines": [lines of the path item]}}."""
    lines = yaml_text.splitlines()
    paths = {}
    current = method = None
    for line in top_level_block(lines, "paths"):
        if not line.strip():
            continue
        key = mapping_key(line, 2)
        if key is not None:
            current, method = key, None
            if current in paths:
                raise AssertionError(f"path {current} is documented twice")
            paths[current] = {"methods": {}, "lines": []}
            continue
        if current is None:
            continue
        paths[current]["lines"].append(line)
        key = mapping_key(line, 4)
        if key is not None:
            method = key if key in METHODS else None
            if method:
                paths[current]["methods"][method] = []
            continue
        if method:
            paths[current]["methods"][method].append(line)
    return paths


def component_parameter_names(yaml_text):
    """{component parameter key: its `name`}."""
    block = top_level_block(yaml_text.splitlines(), "components")
    names, in_parameters, current = {}, False, None
    for line in block:
        if mapping_key(line, 2) is not None:
            in_parameters = mapping_key(line, 2) == "parameters"
            continue
        if not in_parameters:
            continue
        key = mapping_key(line, 4)
        if key is not None:
            current = key
            continue
        match = re.match(r"^\s{6}name:\s*(\S+)", line)
        if current and match:
            names[current] = match.group(1).strip("\"'")
    return names


def pattern_of(path):
    """'/api/scans/{scan_id}/link' -> '/api/scans/*/link'; a partly templated segment stays."""
    return "/".join("*" if re.fullmatch(r"\{\w+\}", part) else part for part in path.split("/"))


class OpenApiMatchesRoutes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        api_cpp = (ROOT / "ui-web/api.cpp").read_text()
        cls.routes = code_routes(api_cpp)
        cls.permissions = handler_permissions(
            (ROOT / "ui-web" / name).read_text()
            for name in ["api_pages.cpp", "api_scans.cpp", "api_admin.cpp"])
        cls.serves_static = "serve_static(request)" in api_cpp
        text = (ROOT / "docs/openapi.yaml").read_text()
        cls.yaml_text = text
        cls.paths = documented(text)
        cls.components = component_parameter_names(text)

    def test_the_source_was_read(self):
        self.assertGreaterEqual(len(self.routes), 20, self.routes)
        for fixed in [("POST", "/api/login"), ("POST", "/api/logout"), ("GET", "/api/session"),
                      ("GET", "/api/events")]:
            self.assertIn(fixed, self.routes)
        self.assertIn("/api/queue", self.paths)
        self.assertIn("get", self.paths["/api/queue"]["methods"])
        self.assertEqual(self.permissions.get("get_export"), {"export"})
        self.assertEqual(self.permissions.get("post_action"), {"scan_work", "decide"})

    def test_the_file_names_its_version(self):
        self.assertRegex(self.yaml_text, r"(?m)^openapi: 3\.0\.3$")
        self.assertRegex(self.yaml_text, r"(?m)^  title: portscreen port node API$")

    def test_every_route_is_documented(self):
        by_pattern = {pattern_of(path): entry for path, entry in self.paths.items()}
        for (method, pattern) in sorted(self.routes):
            with self.subTest(route=f"{method} {pattern}"):
                self.assertTrue(pattern in by_pattern, f"no path for {method} {pattern}")
                self.assertTrue(method.lower() in by_pattern[pattern]["methods"],
                                f"{pattern} documents no {method}")

    def test_every_documented_api_path_is_served(self):
        for path, entry in self.paths.items():
            for method in entry["methods"]:
                with self.subTest(operation=f"{method.upper()} {path}"):
                    if path.startswith("/api/") or path == "/api":
                        self.assertTrue((method.upper(), pattern_of(path)) in self.routes,
                                        "documented but no route serves it")
                    else:  # everything outside /api/ is a static file, GET or HEAD
                        self.assertTrue(self.serves_static)
                        self.assertIn(method, {"get", "head"})

    def test_paths_are_unique_once_templated(self):
        patterns = [pattern_of(path) for path in self.paths]
        self.assertEqual(len(patterns), len(set(patterns)), patterns)

    def test_path_parameters_are_declared(self):
        for path, entry in self.paths.items():
            wanted = re.findall(r"\{(\w+)\}", path)
            declared = set(re.findall(r"^\s*-?\s*name:\s*[\"']?(\w+)", "\n".join(entry["lines"]),
                                      re.M))
            for ref in re.findall(r"#/components/parameters/(\w+)", "\n".join(entry["lines"])):
                self.assertIn(ref, self.components, f"{path}: unknown parameter {ref}")
                declared.add(self.components[ref])
            with self.subTest(path=path):
                for name in wanted:
                    self.assertIn(name, declared, f"{path}: {{{name}}} is not declared")
                self.assertTrue(all(re.fullmatch(r"\{\w+\}|[^{}]*", part)
                                    for part in path.split("/")), "a segment is partly templated")

    def test_each_operation_names_the_permission_its_handler_requires(self):
        by_pattern = {pattern_of(path): entry for path, entry in self.paths.items()}
        for (method, pattern), handler in sorted(self.routes.items()):
            entry = by_pattern.get(pattern)
            if entry is None or method.lower() not in entry["methods"]:
                continue  # reported by test_every_route_is_documented
            with self.subTest(route=f"{method} {pattern}"):
                text = "\n".join(entry["methods"][method.lower()])
                match = re.search(r"^\s{6}x-permission:\s*(.+)$", text, re.M)
                self.assertIsNotNone(match, "no x-permission")
                named = set(re.findall(r"\w+", match.group(1))) - {"or", "by", "action"}
                required = self.permissions.get(handler, set()) if handler else set()
                self.assertEqual(named, required or {"none"})


if __name__ == "__main__":
    ROOT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else
                        pathlib.Path(__file__).resolve().parents[2])
    unittest.main(argv=[sys.argv[0], "-v"])
