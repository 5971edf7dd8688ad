#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""cri.py GENDIR SOCKET COMMAND ARGS...: a small CRI client (runtime.v1) for the tests, over
gRPC (python3-grpcio) with the messages of cri.proto, compiled by protoc into GENDIR.

  version
  run-pod NAME HANDLER CGROUP-PARENT LOG-DIR [key=value annotations...]  -> the sandbox's id;
                                       the pod's config is kept in GENDIR/pod-<id>.bin
  pod-ip SANDBOX                       -> the pod's IP (the sandbox must be ready)
  create SANDBOX NAME IMAGE LOG-PATH [--mem BYTES] -- ARGS...  -> the container's id
  start CONTAINER | stop CONTAINER [TIMEOUT] | rm CONTAINER
  state CONTAINER                      -> CREATED, RUNNING or EXITED, and the exit code
  exec CONTAINER [--timeout S] -- CMD...  its stdout and stderr as ours, its exit code ours
  update CONTAINER MEMORY-BYTES [CPU-QUOTA CPU-PERIOD]
  stop-pod SANDBOX | rm-pod SANDBOX

Errors from the server are printed on stderr with their gRPC status, exit status 2.
"""
import os
import sys

import grpc

GEN, SOCK, CMD, ARGS = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
sys.path.insert(0, GEN)
import cri_pb2 as pb  # noqa: E402  (generated into GEN at test time)

SERVICE = "/runtime.v1.RuntimeService/"
channel = grpc.insecure_channel("unix://" + os.path.abspath(SOCK))


def call(method, req, resp_type, timeout=120):
    fn = channel.unary_unary(SERVICE + method,
                             request_serializer=lambda m: m.SerializeToString(),
                             response_deserializer=resp_type.FromString)
    return fn(req, timeout=timeout)


def pod_config_path(sid):
    return os.path.join(GEN, "pod-%s.bin" % sid)


def main():
    if CMD == "version":
        r = call("Version", pb.VersionRequest(version="v1"), pb.VersionResponse)
        print(r.runtime_name, r.runtime_version, r.runtime_api_version)
    elif CMD == "run-pod":
        name, handler, cgparent, logdir = ARGS[:4]
        cfg = pb.PodSandboxConfig(
            metadata=pb.PodSandboxMetadata(name=name, uid=name + "-uid", namespace="hull-test"),
            hostname=name, log_directory=logdir,
            linux=pb.LinuxPodSandboxConfig(cgroup_parent=cgparent))
        for kv in ARGS[4:]:
            k, v = kv.split("=", 1)
            cfg.annotations[k] = v
        r = call("RunPodSandbox", pb.RunPodSandboxRequest(config=cfg, runtime_handler=handler),
                 pb.RunPodSandboxResponse, timeout=300)
        with open(pod_config_path(r.pod_sandbox_id), "wb") as f:
            f.write(cfg.SerializeToString())
        print(r.pod_sandbox_id)
    elif CMD == "pod-ip":
        r = call("PodSandboxStatus", pb.PodSandboxStatusRequest(pod_sandbox_id=ARGS[0]),
                 pb.PodSandboxStatusResponse)
        if r.status.state != pb.SANDBOX_READY:
            print("sandbox not ready", file=sys.stderr)
            return 1
        print(r.status.network.ip)
    elif CMD == "create":
        sid, name, image, log = ARGS[:4]
        rest = ARGS[4:]
        mem = 0
        if rest and rest[0] == "--mem":
            mem = int(rest[1])
            rest = rest[2:]
        assert rest and rest[0] == "--", "create: ARGS after --"
        with open(pod_config_path(sid), "rb") as f:
            pod = pb.PodSandboxConfig.FromString(f.read())
        cfg = pb.ContainerConfig(
            metadata=pb.ContainerMetadata(name=name), image=pb.ImageSpec(image=image),
            args=rest[1:], log_path=log,
            linux=pb.LinuxContainerConfig(
                resources=pb.LinuxContainerResources(memory_limit_in_bytes=mem),
                security_context=pb.LinuxContainerSecurityContext(
                    namespace_options=pb.NamespaceOption(pid=pb.CONTAINER))))
        r = call("CreateContainer", pb.CreateContainerRequest(
            pod_sandbox_id=sid, config=cfg, sandbox_config=pod), pb.CreateContainerResponse)
        print(r.container_id)
    elif CMD == "start":
        call("StartContainer", pb.StartContainerRequest(container_id=ARGS[0]),
             pb.StartContainerResponse)
    elif CMD == "stop":
        timeout = int(ARGS[1]) if len(ARGS) > 1 else 0
        call("StopContainer", pb.StopContainerRequest(container_id=ARGS[0], timeout=timeout),
             pb.StopContainerResponse, timeout=timeout + 120)
    elif CMD == "rm":
        call("RemoveContainer", pb.RemoveContainerRequest(container_id=ARGS[0]),
             pb.RemoveContainerResponse)
    elif CMD == "state":
        r = call("ContainerStatus", pb.ContainerStatusRequest(container_id=ARGS[0]),
                 pb.ContainerStatusResponse)
        print(pb.ContainerState.Name(r.status.state).replace("CONTAINER_", ""),
              r.status.exit_code)
    elif CMD == "exec":
        rest, timeout = ARGS[1:], 0
        if rest[0] == "--timeout":
            timeout = int(rest[1])
            rest = rest[2:]
        assert rest[0] == "--", "exec: CMD after --"
        r = call("ExecSync", pb.ExecSyncRequest(container_id=ARGS[0], cmd=rest[1:],
                                                timeout=timeout), pb.ExecSyncResponse)
        sys.stdout.buffer.write(r.stdout)
        sys.stderr.buffer.write(r.stderr)
        return r.exit_code
    elif CMD == "update":
        res = pb.LinuxContainerResources(memory_limit_in_bytes=int(ARGS[1]))
        if len(ARGS) > 3:
            res.cpu_quota, res.cpu_period = int(ARGS[2]), int(ARGS[3])
        call("UpdateContainerResources",
             pb.UpdateContainerResourcesRequest(container_id=ARGS[0], linux=res),
             pb.UpdateContainerResourcesResponse)
    elif CMD == "stop-pod":
        call("StopPodSandbox", pb.StopPodSandboxRequest(pod_sandbox_id=ARGS[0]),
             pb.StopPodSandboxResponse, timeout=300)
    elif CMD == "rm-pod":
        call("RemovePodSandbox", pb.RemovePodSandboxRequest(pod_sandbox_id=ARGS[0]),
             pb.RemovePodSandboxResponse, timeout=300)
    else:
        print("cri.py: unknown command " + CMD, file=sys.stderr)
        return 2
    return 0


try:
    sys.exit(main())
except grpc.RpcError as e:
    print("cri.py %s: %s: %s" % (CMD, e.code().name, e.details()), file=sys.stderr)
    sys.exit(2)
