#!/usr/bin/perl
# gen-man.pl - the manual pages of xl-balance, from their templates and
# from the program itself, so that they cannot drift from it.
#
#   gen-man.pl cmd  XL_BALANCE  TEMPLATE CHANGELOG [NAME=VALUE...] > xl-balance.1
#   gen-man.pl conf CONFIG_MD   TEMPLATE CHANGELOG [NAME=VALUE...] > xl-balance.conf.5
#
# cmd:  runs XL_BALANCE (no shell) with `help' and `help VERB' for every
#       verb it lists, and turns the global options, the verbs with their
#       usage, summary and options, and the exit codes into roff, at the
#       template's lines @GLOBAL_OPTIONS@, @VERBS@, @EXIT_STATUS@.
# conf: turns doc/config.md's key table (which tests/test_config.c checks
#       against bal__config_keys) into roff at the line @KEYS@.
# Both: @DATE@ is the date of CHANGELOG's first entry (a Debian changelog:
# the same bytes on every build), @VERSION@ and any @NAME@ given as
# NAME=VALUE are replaced.  Anything it cannot parse is an error: a page
# that silently lost a verb would be worse than no page.
use strict;
use warnings;

my ($mode, $source, $template, $changelog, @defs) = @ARGV;
die "usage: gen-man.pl cmd|conf SOURCE TEMPLATE CHANGELOG [NAME=VALUE...]\n"
    unless defined $changelog && ($mode eq 'cmd' || $mode eq 'conf');

my %vars;
for (@defs) {
    /^([A-Z_]+)=(.*)$/s or die "gen-man: bad definition `$_'\n";
    $vars{$1} = $2;
}
$vars{DATE} = changelog_date($changelog);

# ---- roff text --------------------------------------------------------------

# Plain text to roff: backslashes, option-like words with real minus
# signs (so that they can be copied), a leading control character.
sub esc {
    my ($s) = @_;
    $s =~ s/\\/\\e/g;
    $s =~ s{(^|[\s(\[`'",=|/])(--?[A-Za-z][A-Za-z0-9-]*)}
           {my ($p, $o) = ($1, $2); $o =~ s/-/\\-/g; "$p$o"}ge;
    $s =~ s/^([.'])/\\&$1/;
    return $s;
}

# "-i, --interval S" -> bold options, italic value names.
sub optspec {
    my ($spec) = @_;
    my @out;
    for my $alt (split /, /, $spec) {
        my @w = split / /, $alt;
        my $o = shift @w;
        $o =~ /^-/ or die "gen-man: `$spec' is not an option\n";
        $o =~ s/-/\\-/g;
        push @out, "\\fB$o\\fR" . join('', map { ' \\fI' . esc($_) . '\\fR' } @w);
    }
    return join(', ', @out);
}

# "[options] SCENARIO" -> words in italics, brackets roman.
sub usage {
    my ($u) = @_;
    $u = esc($u);
    $u =~ s/(\\-\\-?[A-Za-z][A-Za-z0-9\\-]*)/\\fB$1\\fR/g;
    $u =~ s/(?<![\\A-Za-z])([A-Za-z][A-Za-z_]*)/\\fI$1\\fR/g;
    return $u;
}

# ---- the program's help -----------------------------------------------------

sub run {
    my @cmd = @_;
    open(my $fh, '-|', @cmd) or die "gen-man: cannot run $cmd[0]: $!\n";
    local $/;
    my $out = <$fh>;
    close($fh) or die "gen-man: `@cmd' failed (exit " . ($? >> 8) . ")\n";
    return $out;
}

# The lines of section TITLE ("Verbs:") up to the next blank line.
sub section {
    my ($text, $title) = @_;
    $text =~ /^\Q$title\E\n((?:.+\n)*)/m
        or die "gen-man: no `$title' section in the help\n";
    return split /\n/, $1;
}

# Option lines ("  -c, --config FILE    text", continuation lines indented
# further) as [spec, [text lines]].  A line that is neither ends the
# options: it and all that follows are the verb's notes, kept as they are
# (returned as a last element [undef, [lines]]).
sub options {
    my (@opts, @notes);
    for my $l (@_) {
        if (@notes) {
            push @notes, $l;
        } elsif ($l =~ /^  (-\S.*?)\s{2,}(\S.*)$/) {
            push @opts, [$1, [$2]];
        } elsif ($l =~ /^\s{4,}(\S.*)$/ && @opts) {
            push @{$opts[-1][1]}, $1;
        } elsif ($l =~ /^  (-\S+(?: \S+)?)$/) {
            push @opts, [$1, []];
        } elsif ($l =~ /\S/) {
            push @notes, $l;
        }
    }
    push @opts, [undef, \@notes] if @notes;
    return @opts;
}

sub options_roff {
    my $r = '';
    for my $o (@_) {
        if (!defined $o->[0]) {         # notes: as the program prints them
            $r .= ".PP\n.nf\n" . join('', map { esc(s/^  //r) . "\n" } @{$o->[1]})
                . ".fi\n";
            next;
        }
        $r .= ".TP\n" . optspec($o->[0]) . "\n";
        $r .= join("\n.br\n", map { esc($_) } @{$o->[1]}) . "\n" if @{$o->[1]};
    }
    return $r;
}

# "  N  text" lines after an "Exit codes:" line of a verb's notes, with
# their continuation lines, as [N, text].
sub verb_exit_codes {
    my (@codes, $in);
    for my $l (@_) {
        if ($l =~ /Exit codes:\s*$/) { $in = 1; next; }
        next unless $in;
        if ($l =~ /^\s+(\d+)\s{2,}(\S.*)$/) { push @codes, [$1, $2]; }
        elsif ($l =~ /^\s{4,}(\S.*)$/ && @codes) { $codes[-1][1] .= " $1"; }
        else { last; }
    }
    return @codes;
}

sub gen_cmd {
    my ($bin, $tpl) = @_;
    my $help = run($bin, 'help');
    my %frag;
    my %extra = verb_texts($tpl);

    $frag{GLOBAL_OPTIONS} = options_roff(options(section($help, 'Global options:')));

    my @verbs;
    for my $l (section($help, 'Verbs:')) {
        $l =~ /^  (\S+)\s+(\S.*)$/ or die "gen-man: cannot read verb line `$l'\n";
        push @verbs, $1;
    }
    @verbs or die "gen-man: the help lists no verb\n";
    my ($v, $vx) = ('', '');
    for my $verb (@verbs) {
        my $h = run($bin, 'help', $verb);
        $h =~ /^Usage: xl-balance \[global options\] \Q$verb\E ?(.*)\n\n(.+)\n/
            or die "gen-man: cannot read `help $verb'\n";
        my ($use, $summary) = ($1, $2);
        $v .= ".TP\n\\fB$verb\\fR" . ($use ne '' ? ' ' . usage($use) : '') . "\n";
        $v .= esc($summary) . "\n";
        if (exists $extra{$verb}) {
            $v .= ".IP\n" . delete($extra{$verb});
        }
        if ($h =~ /\nOptions:\n/) {
            my @o = options(section($h, 'Options:'));
            $v .= ".RS\n" . options_roff(@o) . ".RE\n";
            my @x = @o && !defined $o[-1][0] ? verb_exit_codes(@{$o[-1][1]}) : ();
            if (@x) {
                $vx .= ".PP\n\\fB$verb\\fR exits with its own codes:\n";
                $vx .= ".TP\n.B $_->[0]\n" . esc(ucfirst $_->[1]) . ".\n" for @x;
            }
        }
    }
    die "gen-man: the template has text for `$_', which is not a verb\n"
        for sort keys %extra;
    $frag{VERBS} = $v;

    my @codes;
    for my $l (section($help, 'Exit codes:')) {
        if ($l =~ /^\s{1,3}(\d+)\s+(\S.*)$/) { push @codes, [$1, $2]; }
        elsif ($l =~ /^\s{4,}(\S.*)$/ && @codes) { $codes[-1][1] .= " $1"; }
        else { die "gen-man: cannot read exit code `$l'\n"; }
    }
    my $x = join('', map { ".TP\n.B $_->[0]\n" . esc(ucfirst $_->[1]) . ".\n" } @codes);
    $frag{EXIT_STATUS} = $x . $vx;
    return %frag;
}

# `.\" @VERB-TEXT NAME' ... `.\" @END' blocks of the template.
sub verb_texts {
    my ($tpl) = @_;
    my %t;
    while ($tpl =~ /^\.\\" \@VERB-TEXT (\S+)\n(.*?)^\.\\" \@END\n/msg) {
        die "gen-man: two texts for verb `$1'\n" if exists $t{$1};
        $t{$1} = $2;
    }
    return %t;
}

# ---- doc/config.md ----------------------------------------------------------

# Markdown cell text to roff: `code` in bold.
sub md {
    my ($s) = @_;
    my @parts = split /`/, $s, -1;
    @parts % 2 or die "gen-man: unbalanced ` in `$s'\n";
    my $r = '';
    for my $i (0 .. $#parts) {
        my $p = esc($parts[$i]);
        $p =~ s/^\\&//;     # not at a line start here
        $r .= $i % 2 ? "\\fB$p\\fR" : $p;
    }
    return $r;
}

sub gen_conf {
    my ($mdfile) = @_;
    open(my $fh, '<', $mdfile) or die "gen-man: $mdfile: $!\n";
    my ($k, $n) = ('', 0);
    while (my $l = <$fh>) {
        next unless $l =~ /^\| `([a-z_]+)` \| (.*?) \| (.*?) \| (.*?) \|\s*$/;
        my ($key, $def, $range, $meaning) = ($1, $2, $3, $4);
        $k .= ".TP\n.B $key\n" . md(ucfirst $meaning) . ".\n.br\n"
            . "Default: " . md($def) . ".  Range: " . md($range) . ".\n";
        $n++;
    }
    $n or die "gen-man: no key table in $mdfile\n";
    return (KEYS => $k);
}

# ---- the template -----------------------------------------------------------

sub changelog_date {
    my ($f) = @_;
    my %mon = (Jan => 1, Feb => 2, Mar => 3, Apr => 4, May => 5, Jun => 6,
               Jul => 7, Aug => 8, Sep => 9, Oct => 10, Nov => 11, Dec => 12);
    open(my $fh, '<', $f) or die "gen-man: $f: $!\n";
    while (<$fh>) {
        return sprintf('%04d-%02d-%02d', $3, $mon{$2}, $1)
            if /^ -- .*>  \w{3}, (\d{1,2}) (\w{3}) (\d{4}) / && $mon{$2};
    }
    die "gen-man: no dated entry in $f\n";
}

my $tpl = do {
    open(my $fh, '<', $template) or die "gen-man: $template: $!\n";
    local $/;
    <$fh>;
};
my %frag = $mode eq 'cmd' ? gen_cmd($source, $tpl) : gen_conf($source);

# Drop the verb texts (used above) and the template's own comments.
$tpl =~ s/^\.\\" \@VERB-TEXT \S+\n.*?^\.\\" \@END\n//msg;
$tpl =~ s/^\.\\".*\n//mg;
(my $tname = $template) =~ s{.*/}{};
$tpl = ".\\\" Generated from $tname by gen-man.pl: edit that, not this.\n" . $tpl;
for my $name (keys %frag) {
    $tpl =~ s/^\@$name\@\n/$frag{$name}/m
        or die "gen-man: the template has no line \@$name\@\n";
}
$tpl =~ s/\@([A-Z_]+)\@/exists $vars{$1} ? $vars{$1}
                         : die "gen-man: no value for \@$1\@\n"/ge;
print $tpl;
