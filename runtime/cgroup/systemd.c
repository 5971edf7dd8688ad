/* SPDX-License-Identifier: Apache-2.0 */
/* The systemd driver's D-Bus side: StartTransientUnit of the container's scope, waiting for
 * its job as runc does (JobRemoved), SetUnitProperties for update, KillUnit + StopUnit on
 * delete. */
#include "runtime/cgroup/systemd.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/util.h"
#include "runtime/cgroup/systemd_lib.h"

#define SD_DEST		    "org.freedesktop.systemd1"
#define SD_OBJECT	    "/org/freedesktop/systemd1"
#define SD_MANAGER	    "org.freedesktop.systemd1.Manager"
#define SD_ERR_UNIT_EXISTS  "org.freedesktop.systemd1.UnitExists"
#define SD_ERR_NO_SUCH_UNIT "org.freedesktop.systemd1.NoSuchUnit"
/* what sd_booted() checks: systemd is the init of this system */
#define SD_RUNNING_DIR "/run/systemd/system"
/* systemd's own socket, which root may use without a dbus-daemon (as systemctl does) */
#define SD_PRIVATE_BUS	    "unix:path=/run/systemd/private"
#define SD_JOB_DONE	    "done"
#define SD_JOB_TIMEOUT_USEC (30ULL * 1000000ULL)

struct sd_conn {
	const struct hull_sdbus *api;
	sd_bus *bus;
};

static void conn_close(struct sd_conn *c)
{
	if (c->bus)
		c->api->flush_close_unref(c->bus);
	c->bus = NULL;
}

int hull_sd_check_running(struct hull_err *err)
{
	if (access(SD_RUNNING_DIR, F_OK) < 0)
		return hull_error(err, ENOENT,
				  "--systemd-cgroup: systemd is not the init of this system (no "
				  "%s); leave --systemd-cgroup out to use the cgroupfs driver",
				  SD_RUNNING_DIR);
	return 0;
}

static int conn_open(struct sd_conn *c, struct hull_err *err)
{
	int rc;

	c->bus = NULL;
	if (hull_sd_check_running(err) < 0)
		return -1;
	c->api = hull_sdbus_load(err);
	if (!c->api)
		return -1;
	if (geteuid() == 0) {
		rc = c->api->new_bus(&c->bus);
		if (rc >= 0)
			rc = c->api->set_address(c->bus, SD_PRIVATE_BUS);
		if (rc >= 0)
			rc = c->api->start(c->bus);
		if (rc >= 0)
			return 0;
		conn_close(c);
	}
	rc = c->api->open_system(&c->bus);
	if (rc < 0) {
		c->bus = NULL;
		return hull_error(err, -rc,
				  "--systemd-cgroup: cannot reach systemd (neither %s nor the "
				  "system bus)",
				  SD_PRIVATE_BUS + strlen("unix:path="));
	}
	return 0;
}

/* Call m; a D-Bus error named `tolerated` sets *hit instead of failing. */
static int call(struct sd_conn *c, sd_bus_message *m, sd_bus_message **reply, const char *what,
		const char *tolerated, bool *hit, struct hull_err *err)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	int rc = c->api->call(c->bus, m, SD_JOB_TIMEOUT_USEC, &e, reply);

	if (hit)
		*hit = false;
	if (rc >= 0)
		return 0;
	if (tolerated && c->api->error_has_name(&e, tolerated)) {
		*hit = true;
		c->api->error_free(&e);
		return 0;
	}
	hull_error(err, -rc, "systemd: %s%s%s", what, e.message ? ": " : "",
		   e.message ? e.message : "");
	c->api->error_free(&e);
	return -1;
}

struct job_wait {
	const struct hull_sdbus *api;
	char *path; /* the job we wait for; NULL until the call returned it */
	char *result;
};

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct job_wait *w = userdata;
	const char *path, *unit, *result;
	uint32_t id;

	(void)e;
	if (w->api->read(m, "uoss", &id, &path, &unit, &result) < 0)
		return 0;
	if (w->path && !w->result && !strcmp(path, w->path))
		w->result = xstrdup(result);
	return 0;
}

static uint64_t now_usec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

/* The reply of a method that queues a job is the job's path: wait for JobRemoved of it. */
static int wait_job(struct sd_conn *c, struct job_wait *w, sd_bus_message *reply, const char *unit,
		    struct hull_err *err)
{
	uint64_t deadline = now_usec() + SD_JOB_TIMEOUT_USEC;
	const char *path;
	int rc = c->api->read(reply, "o", &path);

	if (rc < 0)
		return hull_error(err, -rc, "systemd: read the job of unit `%s`", unit);
	w->path = xstrdup(path);
	while (!w->result) {
		uint64_t now;
		rc = c->api->process(c->bus, NULL);
		if (rc < 0)
			return hull_error(err, -rc, "systemd: wait for the job of unit `%s`", unit);
		if (rc > 0)
			continue;
		now = now_usec();
		if (now >= deadline)
			return hull_error(err, ETIMEDOUT, "systemd: the job of unit `%s`", unit);
		rc = c->api->wait(c->bus, deadline - now);
		if (rc < 0)
			return hull_error(err, -rc, "systemd: wait for the job of unit `%s`", unit);
	}
	if (strcmp(w->result, SD_JOB_DONE))
		return hull_error(err, EIO, "systemd: the job of unit `%s` ended `%s`", unit,
				  w->result);
	return 0;
}

static void job_free(struct job_wait *w)
{
	free(w->path);
	free(w->result);
	w->path = w->result = NULL;
}

static sd_bus_message *method(struct sd_conn *c, const char *name, struct hull_err *err)
{
	sd_bus_message *m = NULL;
	int rc = c->api->new_method_call(c->bus, &m, SD_DEST, SD_OBJECT, SD_MANAGER, name);
	if (rc < 0) {
		hull_error(err, -rc, "systemd: %s", name);
		return NULL;
	}
	return m;
}

static int scope_props(struct sd_conn *c, sd_bus_message *m, const struct hull_sd_unit *u,
		       pid_t pid, const struct hull_cg_resources *r, const struct hull_linux *lx)
{
	const struct hull_sdbus *api = c->api;
	bool unified = hull_sd_unified();
	cleanup_free char *desc = hull_strfmt("hull container %s", u->name);
	int rc = api->append(m, "ss", u->name, "fail");

	if (rc >= 0)
		rc = api->open_container(m, 'a', "(sv)");
	if (rc >= 0)
		rc = api->append(m, "(sv)(sv)(sv)(sv)(sv)", "Description", "s", desc, "Slice", "s",
				 u->slice, "Delegate", "b", 1, "DefaultDependencies", "b", 0,
				 "CollectMode", "s", "inactive-or-failed");
	if (rc >= 0)
		rc = api->append(m, "(sv)(sv)(sv)(sv)", "MemoryAccounting", "b", 1, "CPUAccounting",
				 "b", 1, "TasksAccounting", "b", 1,
				 unified ? "IOAccounting" : "BlockIOAccounting", "b", 1);
	if (rc >= 0)
		rc = api->append(m, "(sv)", "PIDs", "au", 1, (uint32_t)pid);
	if (rc >= 0)
		rc = hull_sd_append_resources(api, m, r, ~0u, lx, unified);
	if (rc >= 0)
		rc = api->close_container(m);
	if (rc >= 0)
		rc = api->append(m, "a(sa(sv))", 0);
	return rc;
}

/* One StartTransientUnit; *exists when systemd already has a unit of that name. */
static int start_once(struct sd_conn *c, const struct hull_sd_unit *u, pid_t pid,
		      const struct hull_cg_resources *r, const struct hull_linux *lx, bool *exists,
		      struct hull_err *err)
{
	struct job_wait w = {.api = c->api};
	sd_bus_slot *slot = NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	int rc, ret = -1;

	/* the match goes first: the job may end before the call returns */
	rc = c->api->match_signal(c->bus, &slot, SD_DEST, SD_OBJECT, SD_MANAGER, "JobRemoved",
				  on_job_removed, &w);
	if (rc < 0)
		return hull_error(err, -rc, "systemd: subscribe to JobRemoved");
	m = method(c, "StartTransientUnit", err);
	if (!m)
		goto out;
	rc = scope_props(c, m, u, pid, r, lx);
	if (rc < 0) {
		hull_error(err, -rc, "systemd: the properties of unit `%s`", u->name);
		goto out;
	}
	if (call(c, m, &reply, "start the container's scope", SD_ERR_UNIT_EXISTS, exists, err) < 0)
		goto out;
	ret = *exists ? 0 : wait_job(c, &w, reply, u->name, err);
out:
	job_free(&w);
	if (reply)
		c->api->message_unref(reply);
	if (m)
		c->api->message_unref(m);
	c->api->slot_unref(slot);
	return ret;
}

static int unit_call(struct sd_conn *c, const char *method_name, const char *unit, const char *what,
		     const char *tolerated, bool *hit, struct hull_err *err)
{
	sd_bus_message *m = method(c, method_name, err), *reply = NULL;
	int rc, ret = -1;
	if (!m)
		return -1;
	rc = c->api->append(m, "s", unit);
	if (rc < 0)
		hull_error(err, -rc, "systemd: %s", method_name);
	else
		ret = call(c, m, &reply, what, tolerated, hit, err);
	if (reply)
		c->api->message_unref(reply);
	c->api->message_unref(m);
	return ret;
}

int hull_sd_scope_start(const struct hull_sd_unit *u, pid_t pid, const struct hull_cg_resources *r,
			const struct hull_linux *lx, struct hull_err *err)
{
	struct sd_conn c;
	bool exists = false, ignored;
	int ret;

	if (conn_open(&c, err) < 0)
		return hull_error_wrap(err, "cgroup");
	ret = start_once(&c, u, pid, r, lx, &exists, err);
	/* a failed unit of an earlier container with this name stays until reset */
	if (ret == 0 && exists) {
		unit_call(&c, "ResetFailedUnit", u->name, "reset", SD_ERR_NO_SUCH_UNIT, &ignored,
			  NULL);
		ret = start_once(&c, u, pid, r, lx, &exists, err);
		if (ret == 0 && exists)
			ret = hull_error(err, EEXIST,
					 "systemd: unit `%s` already exists (another container "
					 "with this name?)",
					 u->name);
	}
	conn_close(&c);
	return ret < 0 ? hull_error_wrap(err, "cgroup: scope `%s`", u->name) : 0;
}

int hull_sd_unit_set(const char *unit, const struct hull_cg_resources *r, unsigned mask,
		     struct hull_err *err)
{
	struct sd_conn c;
	sd_bus_message *m = NULL, *reply = NULL;
	int rc, ret = -1;

	if (conn_open(&c, err) < 0)
		return hull_error_wrap(err, "cgroup");
	m = method(&c, "SetUnitProperties", err);
	if (!m)
		goto out;
	rc = c.api->append(m, "sb", unit, 1);
	if (rc >= 0)
		rc = c.api->open_container(m, 'a', "(sv)");
	if (rc >= 0)
		rc = hull_sd_append_resources(c.api, m, r, mask, NULL, hull_sd_unified());
	if (rc >= 0)
		rc = c.api->close_container(m);
	if (rc < 0)
		hull_error(err, -rc, "systemd: the properties of unit `%s`", unit);
	else
		ret = call(&c, m, &reply, "set the scope's properties", NULL, NULL, err);
out:
	if (reply)
		c.api->message_unref(reply);
	if (m)
		c.api->message_unref(m);
	conn_close(&c);
	return ret < 0 ? hull_error_wrap(err, "cgroup: scope `%s`", unit) : 0;
}

int hull_sd_unit_stop(const char *unit, struct hull_err *err)
{
	struct job_wait w = {0};
	struct sd_conn c;
	sd_bus_slot *slot = NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	bool gone = false;
	int rc, ret = -1;

	if (conn_open(&c, err) < 0)
		return hull_error_wrap(err, "cgroup");
	w.api = c.api;
	rc = c.api->match_signal(c.bus, &slot, SD_DEST, SD_OBJECT, SD_MANAGER, "JobRemoved",
				 on_job_removed, &w);
	if (rc < 0) {
		hull_error(err, -rc, "systemd: subscribe to JobRemoved");
		goto out;
	}
	/* what is left in the scope's tree (a sub-cgroup the workload made under the delegation
	 * is beyond the runtime's kill) dies now, not after the stop timeout's SIGTERM wait */
	m = method(&c, "KillUnit", err);
	if (!m)
		goto out;
	rc = c.api->append(m, "ssi", unit, "all", SIGKILL);
	if (rc < 0) {
		hull_error(err, -rc, "systemd: KillUnit");
		goto out;
	}
	if (call(&c, m, NULL, "kill the container's scope", SD_ERR_NO_SUCH_UNIT, &gone, err) < 0)
		goto out;
	c.api->message_unref(m);
	m = NULL;
	if (gone) {
		ret = 0;
		goto out;
	}
	m = method(&c, "StopUnit", err);
	if (!m)
		goto out;
	rc = c.api->append(m, "ss", unit, "replace");
	if (rc < 0) {
		hull_error(err, -rc, "systemd: StopUnit");
		goto out;
	}
	/* an empty scope is collected by systemd on its own, maybe already */
	if (call(&c, m, &reply, "stop the container's scope", SD_ERR_NO_SUCH_UNIT, &gone, err) < 0)
		goto out;
	ret = gone ? 0 : wait_job(&c, &w, reply, unit, err);
out:
	job_free(&w);
	if (reply)
		c.api->message_unref(reply);
	if (m)
		c.api->message_unref(m);
	c.api->slot_unref(slot);
	conn_close(&c);
	return ret < 0 ? hull_error_wrap(err, "cgroup: scope `%s`", unit) : 0;
}
