import Testing

@testable import Runtime

@Suite struct CommandResolverTests {
  let image = ImageRuntimeConfig(entrypoint: ["/entry"], cmd: ["default", "args"])

  @Test func imageDefaultsWhenNothingGiven() {
    #expect(CommandResolver.resolve(command: nil, args: nil, image: image, env: []) == ["/entry", "default", "args"])
  }

  @Test func argsReplaceCmdOnly() {
    #expect(CommandResolver.resolve(command: nil, args: ["x"], image: image, env: []) == ["/entry", "x"])
  }

  @Test func commandReplacesEntrypointAndDropsCmd() {
    #expect(CommandResolver.resolve(command: ["/bin/sh"], args: nil, image: image, env: []) == ["/bin/sh"])
    #expect(
      CommandResolver.resolve(command: ["/bin/sh"], args: ["-c", "x"], image: image, env: []) == ["/bin/sh", "-c", "x"])
  }

  @Test func expandsVariablesLikeKubernetes() {
    let env = ["NAME=world", "EMPTY="]
    let resolved = CommandResolver.resolve(
      command: ["echo", "$(NAME)", "$$(NAME)", "$(MISSING)", "a$(EMPTY)b", "$"], args: nil, image: image, env: env)
    #expect(resolved == ["echo", "world", "$(NAME)", "$(MISSING)", "ab", "$"])
  }

  @Test func laterEnvironmentWinsInPlace() {
    let merged = CommandResolver.mergeEnv(image: ["PATH=/bin", "A=1"], container: ["A=2", "B=3"])
    #expect(merged == ["PATH=/bin", "A=2", "B=3"])
  }
}
