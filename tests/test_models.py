"""Architectures against the report's exact parameter counts, and the domain-adaptation pieces."""

import math

import pytest
import torch

from common.layer_tables import layer_rows
from common.uda.networks import grad_reverse
from common.uda.training import annealed_lr, dann_lambda, domain_loss


def counts(model, *inputs, kind=None):
    return [p for name, _, p in layer_rows(model, *inputs) if kind is None or name.startswith(kind + "-")]


def test_p1_dcgan_matches_the_report():
    from p1_dcgan.model import ARCHS

    g, d, _ = ARCHS["dcgan"]
    assert counts(g(), torch.zeros(2, 128), kind="ConvTranspose2d") == [1048576, 2097152, 524288, 131072, 3072]
    assert counts(g(), torch.zeros(2, 128), kind="BatchNorm2d") == [1024, 512, 256, 128]
    assert counts(d(), torch.zeros(2, 3, 64, 64), kind="Conv2d") == [3072, 131072, 524288, 2097152, 8192]
    rows = layer_rows(d(), torch.zeros(2, 3, 64, 64))
    assert [r[0].split("-")[0] for r in rows[-2:]] == ["Flatten", "Sigmoid"] and rows[-1][1] == (-1, 1)
    assert g()(torch.zeros(2, 128)).shape == (2, 3, 64, 64)


def test_p2_acgan_matches_the_report():
    from p2_acgan.model import ARCHS

    g, d, _ = ARCHS["acgan"]
    z, y = torch.zeros(2, 128), torch.zeros(2, dtype=torch.long)
    assert counts(g(), z, y, kind="ConvTranspose2d") == [1048576, 131072, 524288, 32768, 3072]
    shapes = [s for n, s, _ in layer_rows(g(), z, y) if n.startswith("ConvTranspose2d")]
    assert [s[-1] for s in shapes] == [4, 4, 8, 14, 28]
    x = torch.zeros(2, 3, 28, 28)
    assert counts(d(), x, kind="Conv2d") == [3072, 131072, 294912, 1179648, 25088]
    assert counts(d(), x, kind="Linear") == [250890]
    adv, cls = d().logits(x, y)
    assert adv.shape == (2,) and cls.shape == (2, 10)


def test_p2_default_composes_a_digit_mask_with_a_background_and_listens_to_the_class():
    from p2_acgan.model import ARCHS

    g, d, _ = ARCHS["composite"]
    torch.manual_seed(0)
    gen, disc = g().eval(), d().eval()  # eval: spectral norm does not step its power iteration per call
    z = torch.randn(4, 128)
    digits = torch.tensor([0, 1, 2, 3])
    images = gen(z, digits)
    assert images.shape == (4, 3, 28, 28) and images.min() >= -1 and images.max() <= 1
    assert not torch.allclose(images, gen(z, digits.flip(0)))  # the class, not only z, shapes the image
    mask, background = gen.layers(z, digits)
    assert mask.shape == (4, 1, 28, 28) and background.shape == (4, 3, 28, 28)
    assert torch.equal(background, gen.layers(z, digits.flip(0))[1])  # the class reaches the mask only
    assert not torch.allclose(mask, gen.layers(z, digits.flip(0))[0])
    with torch.no_grad():  # mask logits of 0 (m = ½) give |b - ½|·2 - 1 = |2b - 1| - 1: never above 0
        gen.mask.weight.zero_()
        half_mask = gen(z, digits)
    assert half_mask.max() <= 0 and not torch.allclose(half_mask, images)
    adv, cls = disc.logits(images.detach(), digits)
    adv_other, cls_other = disc.logits(images.detach(), digits.flip(0))
    assert adv.shape == (4,) and cls.shape == (4, 10)
    assert torch.equal(cls, cls_other) and not torch.allclose(adv, adv_other)  # projection: the label moves the score


def test_p2_tinted_default_varies_the_background_colour_with_z_not_with_the_digit():
    from p2_acgan.model import ARCHS
    from p2_acgan.train import Config

    assert Config.arch == "tinted"
    torch.manual_seed(0)
    tinted, plain = ARCHS["tinted"].generator().eval(), ARCHS["composite"].generator().eval()
    plain.load_state_dict(tinted.state_dict(), strict=False)  # the same networks but for the tint
    z, digits = torch.randn(64, 128), torch.randint(0, 10, (64,))
    mask, background = tinted.layers(z, digits)
    assert torch.equal(mask, plain.layers(z, digits)[0])
    assert torch.equal(background, tinted.layers(z, digits.roll(1))[1])  # the class still reaches the mask only

    def colour_spread(images):  # std over images of their mean colour
        return images.mean((2, 3)).std(0).mean().item()

    with torch.no_grad():
        assert colour_spread(tinted(z, digits)) > 1.5 * colour_spread(plain(z, digits))


def test_p3_dann_matches_the_report():
    from p3_dann.model import ARCHS

    x = torch.zeros(2, 3, 28, 28)
    for make in ARCHS.values():  # the contrast-normalised input variant adds no parameter
        assert counts(make(), x, kind="Conv2d") == [9728, 204864, 4160, 3250, 2550]
        assert counts(make(), x, kind="Linear") == [80100, 1010, 80100, 202]
        assert make().embed(x).shape == (2, 800)


def test_random_affine_keeps_shape_and_its_identity_setting_is_the_identity():
    from common.data import random_affine

    x = torch.rand(5, 3, 28, 28)
    assert torch.allclose(random_affine(x, rotation_deg=0, scale=(1, 1), shift=0), x, atol=1e-5)
    y = random_affine(x)
    assert y.shape == x.shape and not torch.allclose(y, x)
    assert x.min() - 1e-6 <= y.min() and y.max() <= x.max() + 1e-6  # bilinear with border: no new extremes


def test_bonus_report_network():
    from bonus_uda.model import ARCHS

    x = torch.zeros(2, 3, 28, 28)
    for make in ARCHS.values():
        assert counts(make(), x, kind="Conv2d") == [4864, 80050]
        assert counts(make(), x, kind="Linear") == [410112, 51300, 1010, 51300, 202]
        assert make().embed(x).shape == (2, 512)


def test_gradient_reversal_is_identity_forward_and_negated_backward():
    x = torch.randn(4, 3, requires_grad=True)
    y = grad_reverse(x, 0.7)
    assert torch.equal(y, x)
    g = torch.randn(4, 3)
    y.backward(g)
    assert torch.allclose(x.grad, -0.7 * g)


def test_schedules():
    assert dann_lambda(0.0) == 0.0 and dann_lambda(1.0) == pytest.approx(2 / (1 + math.exp(-10)) - 1)
    assert 0 < dann_lambda(0.1) < dann_lambda(0.5) < 1
    assert annealed_lr(0.0, 0.01) == 0.01 and annealed_lr(1.0, 0.01) == pytest.approx(0.01 / 11**0.75)


def test_domain_loss_labels_source_zero_target_one():
    confident = torch.tensor([[10.0, -10.0], [10.0, -10.0], [-10.0, 10.0]])
    assert domain_loss(confident, n_source=2).item() < 1e-6
    assert domain_loss(confident, n_source=1).item() > 5


def test_bonus_losses_known_answers():
    from bonus_uda.train import conditional_entropy, vat_perturbation

    one_hot = torch.log(torch.eye(10)[:4].clamp_min(1e-30))
    assert conditional_entropy(one_hot).item() == pytest.approx(0.0, abs=1e-6)
    uniform = torch.full((3, 10), math.log(0.1))
    assert conditional_entropy(uniform).item() == pytest.approx(math.log(10))
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(12, 5), torch.nn.LogSoftmax(1))
    x = torch.randn(6, 3, 2, 2)
    r = vat_perturbation(net, x, net(x), eps=2.5)
    assert torch.allclose(r.flatten(1).norm(dim=1), torch.full((6,), 2.5), atol=1e-4)


def test_ema_warms_up_then_tracks():
    from common.training import EMA

    m = torch.nn.Linear(2, 2)
    ema = EMA(m, 0.99)
    with torch.no_grad():
        m.weight.zero_()
    ema.update(m)  # the first update copies
    with torch.no_grad():
        m.weight.fill_(1.0)
    ema.update(m)  # decay min(0.99, 2/11): mostly the new weights
    assert ema.module.weight.mean().item() == pytest.approx(1 - 2 / 11, rel=1e-5)


def test_marginal_entropy_rewards_using_every_class():
    from bonus_uda.train import marginal_entropy

    balanced = torch.log(torch.eye(10).clamp_min(1e-30))  # ten confident predictions, one per class
    collapsed = torch.log(torch.eye(10)[[3] * 10].clamp_min(1e-30))  # ten confident predictions of class 3
    assert marginal_entropy(balanced).item() == pytest.approx(math.log(10), rel=1e-5)
    assert marginal_entropy(collapsed).item() == pytest.approx(0.0, abs=1e-5)


def test_invert_some_negates_whole_images_at_the_given_rate():
    from common.data import invert_some

    x = torch.rand(2000, 3, 4, 4) * 2 - 1
    assert torch.equal(invert_some(x, 0.0), x)
    assert torch.equal(invert_some(x, 1.0), -x)
    torch.manual_seed(0)
    y = invert_some(x, 0.5)
    negated = (y == -x).flatten(1).all(1)
    assert torch.logical_or(negated, (y == x).flatten(1).all(1)).all()  # each image whole, one way or the other
    assert 0.45 < negated.float().mean() < 0.55


def test_add_neighbours_keeps_the_centre_and_brings_other_digits_in_at_the_edges():
    from common.data import add_neighbours

    x = -torch.ones(4, 3, 28, 28)
    x[:, :, 4:24, 10:18] = torch.linspace(0.2, 1.0, 4).view(4, 1, 1, 1)  # a bar per image, each its own value
    assert torch.equal(add_neighbours(x, 0.0), x)
    y = add_neighbours(x, 1.0, widen=(2.4, 2.4))
    assert torch.allclose(y[:, :, 14, 14], x[:, :, 14, 14], atol=1e-5)  # the labelled digit stays centred
    assert torch.allclose(y[:, :, 0, :], -torch.ones(4, 3, 28), atol=1e-5)  # new rows take the background
    assert torch.allclose(y[1, :, 14, 1], x[0, :, 14, 14], atol=1e-5)  # a neighbour's bar at the left edge
    assert torch.allclose(y[1, :, 14, 26], x[2, :, 14, 14], atol=1e-5)  # and the other's at the right


def test_local_contrast_norm_ignores_light_gradients_and_keeps_strokes():
    from common.uda.networks import LocalContrastNorm

    digit = torch.zeros(1, 1, 28, 28)
    digit[..., 6:22, 12:16] = 1.0
    ramp = torch.linspace(0, 1, 28).view(1, 1, 1, 28)  # light falling off across the image
    lit = (digit * 0.5 + ramp * 0.3).expand(-1, 3, -1, -1) * torch.tensor([1.0, 0.8, 0.6]).view(1, 3, 1, 1)
    a, b = LocalContrastNorm()(digit.expand(-1, 3, -1, -1)), LocalContrastNorm()(lit)
    assert a.shape == (1, 3, 28, 28)
    inside = (slice(None), 0, slice(8, 20), slice(8, 20))  # away from the replicated border
    assert torch.corrcoef(torch.stack([a[inside].flatten(), b[inside].flatten()]))[0, 1] > 0.95
    assert a[0, 0, 14, 13] > 0.5 > a[0, 0, 14, 6]  # the stroke stands out


def test_frozen_bn_statistics_leaves_running_averages_alone():
    from common.uda.training import frozen_bn_statistics
    from p3_dann.model import ARCHS

    net = ARCHS["dann_lcn"]().train()
    before = {k: v.clone() for k, v in net.state_dict().items() if "running" in k}
    with frozen_bn_statistics(net):
        net.classify(torch.randn(8, 3, 28, 28))
    assert all(torch.equal(before[k], net.state_dict()[k]) for k in before)
    assert all(m.momentum == 0.1 for m in net.modules() if isinstance(m, torch.nn.BatchNorm2d))
    net.classify(torch.randn(8, 3, 28, 28))
    assert not all(torch.equal(before[k], net.state_dict()[k]) for k in before)
