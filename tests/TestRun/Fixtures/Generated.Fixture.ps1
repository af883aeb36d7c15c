# For tests/Pester/TestRun.Tests.ps1: a test set generated from discovery data that is there, so every It makes tests.
BeforeDiscovery {
    $names = 'db01', 'db02'
}

Describe 'A generated test set' {
    It 'makes a test' {
        1 | Should -Be 1
    }

    It 'makes a test for <_>' -ForEach $names {
        $_ | Should -Match '^db0\d$'
    }
}
