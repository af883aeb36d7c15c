# For tests/Pester/TestRun.Tests.ps1: one It that makes a test, and one whose -ForEach data is empty, from which Pester
# makes no test at all and says nothing.
BeforeDiscovery {
    $none = @()
}

Describe 'A generated test set' {
    It 'makes a test' {
        1 | Should -Be 1
    }

    It 'makes a test for <_>' -ForEach $none {
        $_ | Should -Not -BeNullOrEmpty
    }
}
