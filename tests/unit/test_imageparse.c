/* SPDX-License-Identifier: Apache-2.0 */
/* The parsers of what registries and archives send: WWW-Authenticate, token answers,
 * manifests, indexes, docker-archive manifest.json. */
#include <stdlib.h>
#include <string.h>

#include "image/auth.h"
#include "image/dockerman.h"
#include "image/manifest.h"
#include "image/platform.h"
#include "image/registry.h"
#include "lib/util.h"
#include "tests/unit/unit.h"

#define D64 "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* References as docker reads them: the registry host only when the first part looks like one,
 * Docker Hub's library/ for a bare name, "latest" without a tag, a digest over a tag. */
TEST(registry_refs)
{
	struct hull_image_ref r;
	struct hull_err err = {0};
	const char *bad[] = {"", "Upper/case", "app:", "127.0.0.1:5000/", "app@sha256:12", "a b"};

	CHECK(hull_image_ref_parse("127.0.0.1:5000/team/app:v1", &r, &err) == 0);
	CHECK_STR_EQ(r.host, "127.0.0.1:5000");
	CHECK_STR_EQ(r.repository, "team/app");
	CHECK_STR_EQ(r.reference, "v1");
	hull_image_ref_free(&r);
	/* freed is empty: a second free does nothing */
	CHECK(!r.host && !r.repository && !r.reference);
	hull_image_ref_free(&r);
	CHECK(hull_image_ref_parse("busybox", &r, &err) == 0);
	CHECK_STR_EQ(r.host, "registry-1.docker.io");
	CHECK_STR_EQ(r.repository, "library/busybox");
	CHECK_STR_EQ(r.reference, "latest");
	hull_image_ref_free(&r);
	CHECK(hull_image_ref_parse("team/app:1.0", &r, &err) == 0);
	CHECK_STR_EQ(r.host, "registry-1.docker.io");
	CHECK_STR_EQ(r.repository, "team/app");
	CHECK_STR_EQ(r.reference, "1.0");
	hull_image_ref_free(&r);
	CHECK(hull_image_ref_parse("localhost/app:v2@" D64, &r, &err) == 0);
	CHECK_STR_EQ(r.host, "localhost");
	CHECK_STR_EQ(r.repository, "app");
	CHECK_STR_EQ(r.reference, D64);
	hull_image_ref_free(&r);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (hull_image_ref_parse(bad[i], &r, &err) == 0)
			UNIT_FAIL("`%s` accepted", bad[i]);
		else if (!strstr(err.msg, "invalid image reference"))
			UNIT_FAIL("`%s`: %s", bad[i], err.msg);
		CHECK(!r.host && !r.repository && !r.reference);
	}
}

TEST(challenge_bearer_params)
{
	struct hull_auth_challenge c;
	struct hull_err err = {0};

	CHECK(hull_auth_challenge_parse(
		      "Bearer realm=\"https://a.test/token?x=1\", "
		      "SERVICE=registry.test ,scope=\"repository:a\\\"b:pull,push\"",
		      "h", &c, &err) == 0);
	CHECK_INT_EQ(c.scheme, HULL_AUTH_BEARER);
	CHECK_STR_EQ(c.realm, "https://a.test/token?x=1");
	CHECK_STR_EQ(c.service, "registry.test");
	/* a token value stops at the quote; the quoted one keeps its escaped quote */
	CHECK_STR_EQ(c.scope, "repository:a\"b:pull,push");
	hull_auth_challenge_free(&c);
	/* "realm" inside another parameter's value is not the realm */
	CHECK(hull_auth_challenge_parse(
		      "Bearer service=\"x,realm=http://evil\",realm=\"http://ok\"", "h", &c,
		      &err) == 0);
	CHECK_STR_EQ(c.realm, "http://ok");
	CHECK_STR_EQ(c.service, "x,realm=http://evil");
	hull_auth_challenge_free(&c);
	CHECK(hull_auth_challenge_parse("basic realm=\"Registry\"", "h", &c, &err) == 0);
	CHECK_INT_EQ(c.scheme, HULL_AUTH_BASIC);
	hull_auth_challenge_free(&c);
}

TEST(challenge_refused)
{
	struct hull_auth_challenge c;
	struct hull_err err = {0};
	char *long_scheme = xzalloc(5000);

	CHECK(hull_auth_challenge_parse("Bearer service=x", "h", &c, &err) < 0);
	CHECK(strstr(err.msg, "without a realm"));
	CHECK(hull_auth_challenge_parse("Bearer realm=\"file:///etc/passwd\"", "h", &c, &err) < 0);
	CHECK(strstr(err.msg, "is not an http(s) URL"));
	CHECK(hull_auth_challenge_parse("Bearer realm=\"http://x", "h", &c, &err) < 0);
	CHECK(strstr(err.msg, "malformed"));
	CHECK(hull_auth_challenge_parse("Bearer realm=\"http://x\r\nX: y\"", "h", &c, &err) < 0);
	/* a token value ends at a separator, not inside a word */
	CHECK(hull_auth_challenge_parse("Bearer realm=\"http://x\",service=a\\\"b", "h", &c, &err) <
	      0);
	CHECK(strstr(err.msg, "malformed"));
	memset(long_scheme, 'N', 4999);
	CHECK(hull_auth_challenge_parse(long_scheme, "h", &c, &err) < 0);
	CHECK(strstr(err.msg, "unsupported authentication"));
	CHECK(strlen(err.msg) < 200);
	free(long_scheme);
}

TEST(token_answer)
{
	struct hull_err err = {0};
	char *tok = NULL, *big;
	const char *crlf = "{\"token\":\"abc\\r\\nX-Injected: 1\"}";
	const char *fallback = "{\"token\":\"\",\"access_token\":\"eyJ.a-b_c~d+e/f==\"}";

	CHECK(hull_auth_token_parse(fallback, strlen(fallback), "r", &tok, &err) == 0);
	CHECK_STR_EQ(tok, "eyJ.a-b_c~d+e/f==");
	free(tok);
	CHECK(hull_auth_token_parse(crlf, strlen(crlf), "r", &tok, &err) < 0);
	CHECK(strstr(err.msg, "holds the byte 0x0d at offset 3"));
	CHECK(!strstr(err.msg, "Injected"));
	CHECK(tok == NULL);
	CHECK(hull_auth_token_parse("{\"token\":\"a b\"}", 15, "r", &tok, &err) < 0);
	CHECK(hull_auth_token_parse("{\"token\":\"\\u00e9\"}", 18, "r", &tok, &err) < 0);
	CHECK(hull_auth_token_parse("{\"token\":1}", 11, "r", &tok, &err) < 0);
	CHECK(strstr(err.msg, "holds no token"));
	/* a NUL hides nothing */
	CHECK(hull_auth_token_parse("{\"token\":\"a\"}\0junk", 18, "r", &tok, &err) < 0);
	big = xzalloc(HULL_TOKEN_MAX + 32);
	strcpy(big, "{\"token\":\"");
	memset(big + 10, 'a', HULL_TOKEN_MAX + 1);
	strcat(big, "\"}");
	CHECK(hull_auth_token_parse(big, strlen(big), "r", &tok, &err) < 0);
	CHECK(strstr(err.msg, "longer than 16 KiB"));
	free(big);
	CHECK(hull_auth_token_parse("{}", HULL_TOKEN_ANSWER_MAX + 1, "r", &tok, &err) < 0);
	CHECK(strstr(err.msg, "bigger than 256 KiB"));
}

static int manifest_with_size(const char *size, struct hull_err *err)
{
	struct hull_manifest m;
	char *json = hull_strfmt("{\"schemaVersion\":2,\"config\":{\"digest\":\"" D64 "\","
				 "\"size\":1},\"layers\":[{\"mediaType\":\"x.tar\",\"digest\":"
				 "\"" D64 "\",\"size\":%s}]}",
				 size);
	int rc = hull_manifest_parse(json, &m, err);

	if (rc == 0) {
		CHECK_INT_EQ(m.n_layers, 1);
		hull_manifest_free(&m);
	}
	free(json);
	return rc;
}

TEST(descriptor_sizes)
{
	struct hull_err err = {0};

	CHECK(manifest_with_size("0", &err) == 0);
	CHECK(manifest_with_size("9223372036854775807", &err) == 0);
	CHECK(manifest_with_size("9223372036854775808", &err) < 0);
	CHECK(strstr(err.msg, "`layers[0].size` must be an integer from 0 to 2^63-1, not "
			      "`9223372036854775808`"));
	CHECK(manifest_with_size("-1", &err) < 0);
	CHECK(manifest_with_size("1.0", &err) < 0);
	CHECK(manifest_with_size("1e3", &err) < 0);
	CHECK(manifest_with_size("1e400", &err) < 0);
	CHECK(manifest_with_size("\"1\"", &err) < 0);
	CHECK(manifest_with_size("null", &err) < 0);
}

TEST(index_rules)
{
	struct hull_err err = {0};
	char pick[HULL_DIGEST_SIZE];
	const char *two = "{\"schemaVersion\":2,\"manifests\":["
			  "{\"digest\":\"" D64 "\",\"size\":3,\"platform\":{\"os\":\"linux\","
			  "\"architecture\":\"arm64\"}},"
			  "{\"digest\":\"sha256:"
			  "1123456789abcdef0123456789abcdef0123456789abcdef"
			  "0123456789abcdef\",\"size\":3,\"platform\":{\"os\":\"linux\","
			  "\"architecture\":\"amd64\"}}]}";

	CHECK(hull_index_select(two, NULL, pick, &err) == 0);
	CHECK(pick[7] == '1');
	CHECK(hull_index_select("{\"schemaVersion\":1e400,\"manifests\":[]}", NULL, pick, &err) <
	      0);
	CHECK(strstr(err.msg, "`schemaVersion` must be 2, not `1e400`"));
	CHECK(hull_index_select("{\"schemaVersion\":2,\"manifests\":[]}", NULL, pick, &err) < 0);
	CHECK(strstr(err.msg, "no manifests"));
	CHECK(hull_index_select("[]", NULL, pick, &err) < 0);
}

TEST(index_platforms)
{
	struct hull_err err = {0};
	struct hull_platform p;
	char pick[HULL_DIGEST_SIZE];
	const char *two = "{\"schemaVersion\":2,\"manifests\":["
			  "{\"digest\":\"" D64 "\",\"size\":3,\"platform\":{\"os\":\"linux\","
			  "\"architecture\":\"arm64\",\"variant\":\"v8\"}},"
			  "{\"digest\":\"sha256:"
			  "1123456789abcdef0123456789abcdef0123456789abcdef"
			  "0123456789abcdef\",\"size\":3,\"platform\":{\"os\":\"linux\","
			  "\"architecture\":\"amd64\"}}]}";

	CHECK(hull_platform_parse("linux/arm64", &p, &err) == 0);
	CHECK(hull_index_select(two, &p, pick, &err) == 0);
	CHECK(pick[7] == '0');
	/* arm64's variant is v8 whether the index names it or not; aliases are normalized */
	CHECK(hull_platform_parse("linux/aarch64/v8", &p, &err) == 0);
	CHECK(!strcmp(p.arch, "arm64") && !strcmp(p.variant, "v8"));
	CHECK(hull_index_select(two, &p, pick, &err) == 0 && pick[7] == '0');
	CHECK(hull_platform_parse("x86_64", &p, &err) == 0);
	CHECK(!strcmp(p.os, "linux") && !strcmp(p.arch, "amd64"));
	CHECK(hull_index_select(two, &p, pick, &err) == 0 && pick[7] == '1');
	CHECK(hull_platform_parse("linux/s390x", &p, &err) == 0);
	CHECK(hull_index_select(two, &p, pick, &err) < 0);
	CHECK(strstr(err.msg, "no manifest for linux/s390x (the index has linux/arm64/v8, "
			      "linux/amd64; choose one with --platform)"));
	CHECK(hull_platform_parse("linux/arm/v7", &p, &err) == 0);
	CHECK(hull_platform_match(&p, "linux", "arm", "v7"));
	CHECK(!hull_platform_match(&p, "linux", "arm", "v6"));
	CHECK(hull_platform_parse("linux//x", &p, &err) < 0);
	CHECK(strstr(err.msg, "OS/ARCH[/VARIANT]"));
	CHECK(hull_platform_parse("a/b/c/d", &p, &err) < 0);
	CHECK(hull_platform_parse("Linux/AMD64", &p, &err) < 0);
	CHECK(hull_platform_parse("", &p, &err) < 0);
}

TEST(docker_manifest)
{
	struct hull_err err = {0};
	struct hull_docker_image *v;
	size_t n;
	char *long_path = xzalloc(40010), *json;

	CHECK(hull_docker_manifest_parse("[{\"Config\":\"c.json\",\"RepoTags\":null,\"Layers\":"
					 "[\"a/layer.tar\"]}]",
					 &v, &n, &err) == 0);
	CHECK_INT_EQ(n, 1);
	if (n == 1) {
		CHECK_STR_EQ(v[0].config, "c.json");
		CHECK_STR_EQ(v[0].layers[0], "a/layer.tar");
		CHECK(v[0].tags == NULL);
	}
	hull_docker_manifest_free(v, n);
	CHECK(hull_docker_manifest_parse("[]", &v, &n, &err) < 0);
	CHECK(hull_docker_manifest_parse("[{\"Layers\":[]}]", &v, &n, &err) < 0);
	CHECK(strstr(err.msg, "[0].Config must be a string"));
	CHECK(hull_docker_manifest_parse("[{\"Config\":\"c\",\"Layers\":[1]}]", &v, &n, &err) < 0);
	CHECK(strstr(err.msg, "[0].Layers must be an array of strings"));
	memset(long_path, 'a', 40000);
	json = hull_strfmt("[{\"Config\":\"c\",\"Layers\":[\"%s\"]}]", long_path);
	CHECK(hull_docker_manifest_parse(json, &v, &n, &err) < 0);
	CHECK(strstr(err.msg, "Layers[0] is longer than 4096 bytes"));
	CHECK(strlen(err.msg) < 300);
	free(json);
	free(long_path);
}

UNIT_MAIN()
